#include "harness/flow/extract.h"

namespace tollgate::flow {

using nlohmann::json;

std::map<std::string, json> extract(const std::vector<scenario::Extract>& extracts, const std::string& body,
                                    const HeaderLookup& header, std::string& error) {
  std::map<std::string, json> out;
  std::optional<json> doc;
  auto fail = [&](const std::string& why) {
    if (error.empty()) error = why;
  };
  for (const auto& e : extracts) {
    if (!e.header.empty()) {
      if (const auto v = header(e.header))
        out[e.var] = std::string(*v);
      else
        fail(e.var + ": no " + e.header + " header");
      continue;
    }
    if (!doc) doc = json::parse(body, nullptr, false);
    if (doc->is_discarded()) {
      fail(e.var + ": the body is not JSON");
      continue;
    }
    const json::json_pointer ptr(e.pointer);
    if (!doc->contains(ptr)) {
      fail(e.var + ": " + e.pointer + " is not in the body");
      continue;
    }
    out[e.var] = doc->at(ptr);
  }
  return out;
}

}  // namespace tollgate::flow
