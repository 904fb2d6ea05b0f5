#include "harness/flow/render.h"

#include "common/percent.h"
#include "common/text.h"

namespace tollgate::flow {

using nlohmann::json;

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }


std::string render(const scenario::Template& t, const Lookup& lookup, std::string* missing, bool encode) {
  std::string out;
  for (const auto& p : t.parts) {
    if (!p.var) {
      out += p.text;
      continue;
    }
    const auto v = lookup(p.text);
    if (!v) {
      if (missing && missing->empty()) *missing = p.text;
      continue;
    }
    out += encode ? tollgate::percent_encode(text_of(*v)) : text_of(*v);
  }
  return out;
}

json render_body(const scenario::Step& step, const Lookup& lookup, std::string* missing) {
  json out = step.body_json.value_or(json());
  for (const auto& [pointer, t] : step.body_templates) {
    json& at = out[json::json_pointer(pointer)];
    if (t.is_single_var()) {
      if (auto v = lookup(t.parts[0].text))
        at = std::move(*v);
      else if (missing && missing->empty())
        *missing = t.parts[0].text;
    } else {
      at = render(t, lookup, missing);
    }
  }
  return out;
}

std::string uuid4(std::mt19937_64& rng) {
  const std::uint64_t a = rng(), b = rng();
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

std::map<std::string, json> extract(const std::vector<scenario::Extract>& extracts, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers, std::string& error) {
  std::map<std::string, json> out;
  std::optional<json> doc;
  for (const auto& e : extracts) {
    if (!e.header.empty()) {
      if (const std::string* v = find_header(headers, e.header))
        out[e.var] = *v;
      else if (error.empty())
        error = e.var + ": no " + e.header + " header";
      continue;
    }
    if (!doc) doc = json::parse(body, nullptr, false);
    if (doc->is_discarded()) {
      if (error.empty()) error = e.var + ": the body is not JSON";
      continue;
    }
    const json::json_pointer ptr(e.pointer);
    if (!doc->contains(ptr)) {
      if (error.empty()) error = e.var + ": " + e.pointer + " is not in the body";
      continue;
    }
    out[e.var] = doc->at(ptr);
  }
  return out;
}

}  // namespace tollgate::flow
