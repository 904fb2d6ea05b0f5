#include "harness/probe/parameters.h"

#include "contract/value_generator.h"

namespace tollgate::probe {
namespace {

using nlohmann::json;

std::string as_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::optional<json> shown_value(const contract::Contract& c, const contract::Parameter& p) {
  if (const auto e = p.where.child("example")) return *e.node;
  if (const auto ex = p.where.child("examples"); ex && ex.node->is_object())
    for (auto it = ex.node->begin(); it != ex.node->end(); ++it) {
      const auto v = c.documents().deref(ex.child(it.key())).child("value");
      if (v) return *v.node;
    }
  const auto s = c.documents().deref(p.schema);
  if (!s) return std::nullopt;
  if (const auto e = s.child("example")) return *e.node;
  if (const auto d = s.child("default")) return *d.node;
  if (const auto en = s.child("enum"); en && en.node->is_array() && !en.node->empty()) return (*en.node)[0];
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parameter_value(const contract::Contract& c, const contract::Parameter& p,
                                           std::uint64_t seed, bool shown_first) {
  if (shown_first)
    if (auto v = shown_value(c, p)) return as_text(*v);
  if (!p.schema) return std::string("x");
  contract::GenerateOptions g;
  g.seed = seed;
  try {
    const json v = contract::generate_value(*p.schema.node, p.schema.doc->value, g);
    const std::string text = as_text(v);
    if (c.validate_parameter(p, text).empty()) return text;
  } catch (const contract::GenerateError&) {
  }
  if (auto v = shown_value(c, p)) return as_text(*v);
  return std::nullopt;
}

}  // namespace tollgate::probe
