#include "contract/schema_validator.h"

#include "contract/schema_values.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>

namespace tollgate::contract {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 200;

std::string number_text(const json& v) { return v.dump(); }
constexpr std::size_t kMaxPatternSubject = 4096;

}  // namespace

// A location as a chain of tokens on the stack: pointers are rendered only
// when a violation is reported, so valid values cost no allocation.
struct SchemaValidator::Loc {
  enum class Kind { kRoot, kKey, kIndex };
  const Loc* parent = nullptr;
  Kind kind = Kind::kRoot;
  std::string_view token;  ///< the key, or for a root the already-escaped prefix
  std::size_t index = 0;

  Loc key(std::string_view k) const { return {this, Kind::kKey, k, 0}; }
  Loc at(std::size_t i) const { return {this, Kind::kIndex, {}, i}; }

  std::string str() const {
    std::string out = parent ? parent->str() : std::string();
    switch (kind) {
      case Kind::kRoot: out += token; break;
      case Kind::kKey: out += '/' + escape_pointer_token(token); break;
      case Kind::kIndex: out += '/' + std::to_string(index); break;
    }
    return out;
  }
};

struct SchemaValidator::Ctx {
  Direction direction;
  std::vector<Violation>* out;
  int depth = 0;

  void report(const Loc& vloc, const Loc& sloc, std::string message) const {
    out->push_back({vloc.str(), sloc.str(), std::move(message)});
  }
};

std::string Violation::to_string() const {
  return (instance_pointer.empty() ? std::string("(root)") : instance_pointer) + ": " + message + " [" +
         schema_pointer + "]";
}




SchemaValidator::SchemaValidator(const DocumentSet& docs) : docs_(docs) {
  // Index every $ref and discriminator once so validation never parses a pointer.
  for (const auto& doc : docs.documents())
    for_each_object(doc->value, [&](const json& node, const std::string&) { index(*doc, node); });
}

std::uint32_t SchemaValidator::keywords_of(const json& schema) const {
  auto it = keywords_.find(&schema);
  return it != keywords_.end() ? it->second : keyword_mask(schema);
}

void SchemaValidator::index(const Document& doc, const json& node) {
  keywords_.emplace(&node, keyword_mask(node));
  if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string()) {
    NodeRef target = docs_.deref(docs_.resolve(doc, ref->get<std::string>()));
    if (target) refs_.emplace(&node, Target{target, target.uri()});
  }
  auto d = node.find("discriminator");
  if (d == node.end() || !d->is_object() || !d->contains("propertyName")) return;
  Discriminator disc;
  disc.property = d->value("propertyName", "");
  if (auto mapping = d->find("mapping"); mapping != d->end() && mapping->is_object()) {
    for (auto it = mapping->begin(); it != mapping->end(); ++it) {
      if (!it.value().is_string()) continue;
      const std::string ref = it.value().get<std::string>();
      // A bare name stands for #/components/schemas/<name>.
      const bool bare = ref.find('#') == std::string::npos && ref.find('/') == std::string::npos;
      NodeRef target = docs_.deref(docs_.resolve(doc, bare ? "#/components/schemas/" + ref : ref));
      if (target) disc.targets.emplace(it.key(), target);
    }
  }
  // Implicit mapping: a oneOf/anyOf member `#/components/schemas/Name` answers to "Name".
  for (const char* key : {"oneOf", "anyOf"}) {
    auto list = node.find(key);
    if (list == node.end() || !list->is_array()) continue;
    for (const auto& member : *list) {
      if (!member.is_object() || !member.contains("$ref") || !member["$ref"].is_string()) continue;
      const std::string ref = member["$ref"].get<std::string>();
      const std::string name = ref.substr(ref.rfind('/') + 1);
      const bool mapped = std::any_of(disc.targets.begin(), disc.targets.end(),
                                      [&](const auto& entry) { return entry.second.pointer.ends_with("/" + name); });
      if (mapped) continue;
      if (NodeRef target = docs_.deref(docs_.resolve(doc, ref))) disc.targets.emplace(name, target);
    }
  }
  discriminators_.emplace(&node, std::move(disc));
}

const SchemaValidator::Target* SchemaValidator::target_of(const json& ref_holder) const {
  auto it = refs_.find(&ref_holder);
  return it == refs_.end() ? nullptr : &it->second;
}

const std::regex* SchemaValidator::regex_for(const std::string& pattern) const {
  std::lock_guard lock(regex_mutex_);
  auto it = regexes_.find(pattern);
  if (it != regexes_.end()) return it->second.get();
  std::unique_ptr<std::regex> re;
  try {
    re = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    re = nullptr;  // reported by lint; an invalid pattern constrains nothing here
  }
  return regexes_.emplace(pattern, std::move(re)).first->second.get();
}

bool SchemaValidator::validate(const NodeRef& schema, const json& instance, Direction direction,
                               std::vector<Violation>& out) const {
  const std::size_t before = out.size();
  const std::string uri = schema.uri();
  const Loc sloc{nullptr, Loc::Kind::kRoot, uri, 0};
  const Loc vloc{nullptr, Loc::Kind::kRoot, "", 0};
  Ctx ctx{direction, &out};
  check(*schema.doc, *schema.node, sloc, instance, vloc, ctx);
  return out.size() == before;
}

void SchemaValidator::check(const Document& doc, const json& s, const Loc& sl, const json& v, const Loc& vl,
                            Ctx& c) const {
  if (s.is_boolean() && !s.get<bool>()) return c.report(vl, sl, "no value is allowed here (the schema is false)");
  const std::uint32_t k = keywords_of(s);
  if (!s.is_object()) return;
  if (c.depth >= kMaxDepth) {
    c.report(vl, sl, "schema nesting deeper than " + std::to_string(kMaxDepth) + " levels (a reference cycle?)");
    return;
  }
  ++c.depth;
  struct Leave {
    int& d;
    ~Leave() { --d; }
  } leave{c.depth};

  if ((k & 1u) && s.contains("$ref")) {
    // OpenAPI 3.0: a Reference Object's siblings are ignored.
    const Target* t = target_of(s);
    if (!t) return c.report(vl, sl.key("$ref"), "reference does not resolve");
    const Loc root{nullptr, Loc::Kind::kRoot, t->uri, 0};
    return check(*t->ref.doc, *t->ref.node, root, v, vl, c);
  }

  auto type = find_kw(s, k, 1, "type");
  if (type != s.end() && type->is_array()) {  // JSON Schema: one of several types, "null" among them
    const bool fits = std::any_of(type->begin(), type->end(),
                                  [&](const json& t) { return t.is_string() && type_matches(t.get<std::string>(), v); });
    if (!fits) return c.report(vl, sl.key("type"), "expected one of " + brief(*type) + ", got " + json_type_name(v));
  } else if (v.is_null()) {
    const auto nullable = find_kw(s, k, 2, "nullable");
    if (nullable != s.end() && nullable->is_boolean() && nullable->get<bool>())
      return;  // nullable admits null before any other keyword
    if (type != s.end() && !(type->is_string() && *type == "null"))
      return c.report(vl, sl.key("nullable"), "null is not allowed (the schema is not nullable)");
  } else if (type != s.end() && type->is_string() && !type_matches(type->get_ref<const std::string&>(), v)) {
    return c.report(vl, sl.key("type"),
                    "expected " + type->get<std::string>() + ", got " + json_type_name(v));
  }
  if (auto e = find_kw(s, k, 26, "const"); e != s.end() && *e != v)
    c.report(vl, sl.key("const"), brief(v) + " is not " + brief(*e));

  if (auto e = find_kw(s, k, 3, "enum"); e != s.end() && e->is_array()) {
    bool found = false;
    for (const auto& allowed : *e)
      if (allowed == v) found = true;
    if (!found) c.report(vl, sl.key("enum"), brief(v) + " is not one of " + brief(*e));
  }
  if (auto f = find_kw(s, k, 4, "format"); f != s.end() && f->is_string()) {
    if (std::string problem = format_problem(f->get<std::string>(), v); !problem.empty())
      c.report(vl, sl.key("format"), problem);
  }

  if (v.is_object())
    check_object(doc, s, sl, v, vl, c);
  else if (v.is_array())
    check_array(doc, s, sl, v, vl, c);
  else
    check_scalar(s, sl, v, vl, c);
  check_composition(doc, s, sl, v, vl, c);
}

void SchemaValidator::check_scalar(const json& s, const Loc& sl, const json& v, const Loc& vl, Ctx& c) const {
  const std::uint32_t k = keywords_of(s);
  if (v.is_string()) {
    const std::string& str = v.get_ref<const std::string&>();
    if (auto m = find_kw(s, k, 5, "minLength"); m != s.end() && m->is_number() && utf8_length(str) < m->get<double>())
      c.report(vl, sl.key("minLength"), "string shorter than " + m->dump() + " characters");
    if (auto m = find_kw(s, k, 6, "maxLength"); m != s.end() && m->is_number() && utf8_length(str) > m->get<double>())
      c.report(vl, sl.key("maxLength"), "string longer than " + m->dump() + " characters");
    // std::regex recurses per character: longer strings are not matched
    // (a stack overflow is worse than a pattern left unchecked).
    if (auto p = find_kw(s, k, 7, "pattern"); p != s.end() && p->is_string() && str.size() <= kMaxPatternSubject) {
      const std::regex* re = regex_for(p->get<std::string>());
      if (re && !std::regex_search(str, *re))
        c.report(vl, sl.key("pattern"), brief(v) + " does not match the pattern " + p->get<std::string>());
    }
    return;
  }
  if (!v.is_number()) return;
  const double d = v.get<double>();
  // OpenAPI 3.0 (and draft 4): a boolean beside the bound; JSON Schema
  // draft 6 on: the exclusive bound is a number of its own.
  const auto flag = [&](int bit, const char* key) {
    const auto it = find_kw(s, k, bit, key);
    return it != s.end() && it->is_boolean() && it->get<bool>();
  };
  if (auto m = find_kw(s, k, 9, "exclusiveMinimum"); m != s.end() && m->is_number() && !(d > m->get<double>()))
    c.report(vl, sl.key("exclusiveMinimum"), number_text(v) + " is not greater than " + m->dump());
  if (auto m = find_kw(s, k, 11, "exclusiveMaximum"); m != s.end() && m->is_number() && !(d < m->get<double>()))
    c.report(vl, sl.key("exclusiveMaximum"), number_text(v) + " is not less than " + m->dump());
  if (auto m = find_kw(s, k, 8, "minimum"); m != s.end() && m->is_number()) {
    const bool exclusive = flag(9, "exclusiveMinimum");
    if (exclusive ? !(d > m->get<double>()) : d < m->get<double>())
      c.report(vl, sl.key("minimum"), number_text(v) + " is less than " + (exclusive ? "or equal to " : "") +
                                          "the minimum " + m->dump());
  }
  if (auto m = find_kw(s, k, 10, "maximum"); m != s.end() && m->is_number()) {
    const bool exclusive = flag(11, "exclusiveMaximum");
    if (exclusive ? !(d < m->get<double>()) : d > m->get<double>())
      c.report(vl, sl.key("maximum"), number_text(v) + " is greater than " + (exclusive ? "or equal to " : "") +
                                          "the maximum " + m->dump());
  }
  if (auto m = find_kw(s, k, 12, "multipleOf"); m != s.end() && m->is_number() && m->get<double>() > 0) {
    const double q = d / m->get<double>();
    if (std::fabs(q - std::round(q)) > 1e-9)
      c.report(vl, sl.key("multipleOf"), number_text(v) + " is not a multiple of " + m->dump());
  }
}

void SchemaValidator::check_array(const Document& doc, const json& s, const Loc& sl, const json& v, const Loc& vl,
                                  Ctx& c) const {
  const std::uint32_t k = keywords_of(s);
  if (auto m = find_kw(s, k, 13, "minItems"); m != s.end() && m->is_number() && v.size() < m->get<double>())
    c.report(vl, sl.key("minItems"), "array has " + std::to_string(v.size()) + " items, fewer than " + m->dump());
  if (auto m = find_kw(s, k, 14, "maxItems"); m != s.end() && m->is_number() && v.size() > m->get<double>())
    c.report(vl, sl.key("maxItems"), "array has " + std::to_string(v.size()) + " items, more than " + m->dump());
  if (auto u = find_kw(s, k, 15, "uniqueItems"); u != s.end() && u->is_boolean() && u->get<bool>()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      for (std::size_t j = i + 1; j < v.size(); ++j)
        if (v[i] == v[j]) {
          c.report(vl.at(j), sl.key("uniqueItems"), "duplicate of item " + std::to_string(i));
          i = v.size();
          break;
        }
  }
  if (auto items = find_kw(s, k, 16, "items"); items != s.end() && (items->is_object() || items->is_boolean())) {
    const Loc isl = sl.key("items");
    for (std::size_t i = 0; i < v.size(); ++i) check(doc, *items, isl, v[i], vl.at(i), c);
  }
}

void SchemaValidator::check_object(const Document& doc, const json& s, const Loc& sl, const json& v, const Loc& vl,
                                   Ctx& c) const {
  const std::uint32_t k = keywords_of(s);
  auto props = find_kw(s, k, 17, "properties");
  const bool has_props = props != s.end() && props->is_object();

  // The readOnly/writeOnly flags of a property (which may be a $ref).
  auto flags = [&](const json& prop) -> std::pair<bool, bool> {
    const json* p = &prop;
    if (prop.contains("$ref")) {
      const Target* t = target_of(prop);
      if (!t) return {false, false};
      p = t->ref.node;
    }
    if (!p->is_object()) return {false, false};
    const auto flag = [p](const char* key) {
      const auto it = p->find(key);
      return it != p->end() && it->is_boolean() && it->get<bool>();
    };
    return {flag("readOnly"), flag("writeOnly")};
  };
  auto excluded = [&](const json& prop) {
    const auto [read_only, write_only] = flags(prop);
    return c.direction == Direction::kRequest ? read_only : write_only;
  };

  if (auto req = find_kw(s, k, 18, "required"); req != s.end() && req->is_array()) {
    const Loc rl = sl.key("required");
    for (const auto& name : *req) {
      if (!name.is_string() || v.contains(name.get_ref<const std::string&>())) continue;
      if (has_props) {
        auto p = props->find(name.get_ref<const std::string&>());
        if (p != props->end() && excluded(*p)) continue;  // required only in the other direction
      }
      c.report(vl, rl, "missing required property '" + name.get<std::string>() + "'");
    }
  }
  if (auto m = find_kw(s, k, 19, "minProperties"); m != s.end() && m->is_number() && v.size() < m->get<double>())
    c.report(vl, sl.key("minProperties"), "object has fewer than " + m->dump() + " properties");
  if (auto m = find_kw(s, k, 20, "maxProperties"); m != s.end() && m->is_number() && v.size() > m->get<double>())
    c.report(vl, sl.key("maxProperties"), "object has more than " + m->dump() + " properties");

  auto extra = find_kw(s, k, 21, "additionalProperties");
  const Loc pl = sl.key("properties");
  for (auto it = v.begin(); it != v.end(); ++it) {
    const Loc ivl = vl.key(it.key());
    if (has_props) {
      if (auto p = props->find(it.key()); p != props->end()) {
        const Loc psl = pl.key(it.key());
        if (excluded(*p))
          c.report(ivl, psl, c.direction == Direction::kRequest ? "readOnly property must not be sent in a request"
                                                                : "writeOnly property must not appear in a response");
        check(doc, *p, psl, it.value(), ivl, c);
        continue;
      }
    }
    if (extra == s.end()) continue;
    if (extra->is_boolean() && !extra->get<bool>())
      c.report(ivl, sl.key("additionalProperties"), "property '" + it.key() + "' is not allowed");
    else if (extra->is_object())
      check(doc, *extra, sl.key("additionalProperties"), it.value(), ivl, c);
  }
}

void SchemaValidator::check_composition(const Document& doc, const json& s, const Loc& sl, const json& v,
                                        const Loc& vl, Ctx& c) const {
  const std::uint32_t k = keywords_of(s);
  if (auto all = find_kw(s, k, 22, "allOf"); all != s.end() && all->is_array()) {
    const Loc al = sl.key("allOf");
    for (std::size_t i = 0; i < all->size(); ++i) check(doc, (*all)[i], al.at(i), v, vl, c);
  }
  if (auto n = find_kw(s, k, 23, "not"); n != s.end() && (n->is_object() || n->is_boolean())) {
    std::vector<Violation> scratch;
    Ctx sub{c.direction, &scratch, c.depth};
    check(doc, *n, sl.key("not"), v, vl, sub);
    if (scratch.empty()) c.report(vl, sl.key("not"), "matches the schema in 'not'");
  }

  for (const auto& [keyword, bit] : {std::pair{"oneOf", 24}, std::pair{"anyOf", 25}}) {
    auto list = find_kw(s, k, bit, keyword);
    if (list == s.end() || !list->is_array()) continue;
    const Loc ll = sl.key(keyword);
    const bool one = keyword[0] == 'o';

    // A discriminator picks the one member to validate against.
    if (auto d = discriminators_.find(&s); d != discriminators_.end() && v.is_object()) {
      const Discriminator& disc = d->second;
      const Loc dl = sl.key("discriminator");
      auto tag = v.find(disc.property);
      if (tag == v.end() || !tag->is_string()) {
        c.report(vl, dl, "missing discriminator property '" + disc.property + "' (a string)");
        continue;
      }
      auto target = disc.targets.find(tag->get<std::string>());
      if (target == disc.targets.end()) {
        std::string names;
        for (const auto& [value, ignored] : disc.targets) names += (names.empty() ? "" : ", ") + value;
        c.report(vl.key(disc.property), dl,
                 "discriminator value " + brief(*tag) + " is not one of [" + names + "]");
        continue;
      }
      const std::string uri = target->second.uri();
      const Loc root{nullptr, Loc::Kind::kRoot, uri, 0};
      check(*target->second.doc, *target->second.node, root, v, vl, c);
      continue;
    }

    // When nothing matches, the closest member explains why: one whose type
    // fits the value beats one that rejects it outright, then fewer reasons.
    std::size_t matches = 0;
    std::vector<Violation> best;
    std::pair<bool, std::size_t> best_rank{true, SIZE_MAX};
    std::string matched;
    std::optional<std::string> here;  // this value's pointer, rendered on the first failure
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::vector<Violation> scratch;
      Ctx sub{c.direction, &scratch, c.depth};
      check(doc, (*list)[i], ll.at(i), v, vl, sub);
      if (scratch.empty()) {
        ++matches;
        matched += (matched.empty() ? "#" : ", #") + std::to_string(i);
        if (!one) break;
        continue;
      }
      if (!here) here = vl.str();
      const bool wrong_type = std::any_of(scratch.begin(), scratch.end(), [&](const Violation& x) {
        return x.instance_pointer == *here && x.schema_pointer.ends_with("/type");
      });
      const std::pair<bool, std::size_t> rank{wrong_type, scratch.size()};
      if (rank < best_rank) {
        best = std::move(scratch);
        best_rank = rank;
      }
    }
    if (matches == 0) {
      c.report(vl, ll, "matches none of the " + std::to_string(list->size()) + " schemas in " + keyword);
      for (auto& b : best) c.out->push_back(std::move(b));  // the closest member's reasons
    } else if (one && matches > 1) {
      c.report(vl, ll, "matches " + std::to_string(matches) + " schemas in oneOf (" + matched +
                           "); exactly one must match");
    }
  }
}

}  // namespace tollgate::contract
