#include "harness/flow/render.h"

#include "common/percent.h"

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

}  // namespace tollgate::flow
