#include "contract/schema_diff.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "contract/object_view.h"
#include "contract/schema_values.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

const json* field(NodeRef s, const char* key) {
  if (!s || !s.node->is_object()) return nullptr;
  const auto it = s.node->find(key);
  return it == s.node->end() ? nullptr : &*it;
}

bool flag(NodeRef s, const char* key) {
  const json* v = field(s, key);
  return v && v->is_boolean() && v->get<bool>();
}

std::string join_path(const std::string& path, const std::string& part) {
  if (path.empty()) return part;
  if (!part.empty() && part.front() == '[') return path + part;
  return path + "." + part;
}

/// The JSON types a schema admits ("null" when nullable); empty: any.
std::set<std::string> types_of(NodeRef s) {
  std::set<std::string> out;
  if (const json* t = field(s, "type")) {
    if (t->is_string()) out.insert(t->get<std::string>());
    if (t->is_array())
      for (const auto& x : *t)
        if (x.is_string()) out.insert(x.get<std::string>());
  }
  if (!out.empty() && flag(s, "nullable")) out.insert("null");
  return out;
}

/// Whether every value of type `t` is admitted by `types` (number admits integer).
bool admitted(const std::set<std::string>& types, const std::string& t) {
  return types.empty() || types.count(t) || (t == "integer" && types.count("number"));
}

std::string list(const std::set<std::string>& types) {
  std::string out;
  for (const auto& t : types) out += (out.empty() ? "" : " or ") + t;
  return out;
}

class SchemaDiff {
 public:
  SchemaDiff(const DocumentSet& a_docs, const DocumentSet& b_docs, Flow flow, std::vector<SchemaChange>& out)
      : a_docs_(a_docs), b_docs_(b_docs), flow_(flow), out_(out) {}

  void compare(NodeRef a, NodeRef b, const std::string& path, int depth) {
    a = a ? a_docs_.deref(a) : a;
    b = b ? b_docs_.deref(b) : b;
    if (depth > 64) return;
    if (!seen_.insert({a ? a.node : nullptr, b ? b.node : nullptr}).second) return;
    const bool a_obj = a && a.node->is_object(), b_obj = b && b.node->is_object();
    if (!a_obj || !b_obj) {  // absent, or a boolean schema
      auto open = [](NodeRef x) {
        return !x || (x.node->is_boolean() && x.node->get<bool>()) || (x.node->is_object() && x.node->empty());
      };
      if ((a && b && *a.node == *b.node) || (open(a) && open(b))) return;
      if (open(b)) return widened(path, "no schema any more: anything", b ? b : a);
      if (open(a)) return narrowed(path, "a schema where there was none", b);
      return both(path, "the schema changed from " + brief(*a.node) + " to " + brief(*b.node), b);
    }
    types(a, b, path);
    enums(a, b, path);
    bounds(a, b, path);
    exact_keywords(a, b, path);
    properties(a, b, path, depth);
    if (field(a, "items") || field(b, "items")) compare(a.child("items"), b.child("items"), join_path(path, "[]"), depth + 1);
    compositions(a, b, path, depth);
  }

 private:
  /// The new version accepts or may give more than the old one.
  void widened(const std::string& path, const std::string& what, NodeRef at) {
    add(flow_ == Flow::kResponse, path, what, at);
  }
  /// The new version accepts or gives less than the old one.
  void narrowed(const std::string& path, const std::string& what, NodeRef at) {
    add(flow_ == Flow::kRequest, path, what, at);
  }
  /// A change neither wider nor narrower: breaking either way.
  void both(const std::string& path, const std::string& what, NodeRef at) { add(true, path, what, at); }
  void add(bool breaking, const std::string& path, const std::string& what, NodeRef at) {
    out_.push_back({breaking, path, what, at ? at.location() : SourceLocation{}});
  }

  void types(NodeRef a, NodeRef b, const std::string& path) {
    const auto ta = types_of(a), tb = types_of(b);
    if (ta == tb) return;
    const bool a_plain = ta.size() == 1 || (ta.size() == 2 && ta.count("null"));
    const bool b_plain = tb.size() == 1 || (tb.size() == 2 && tb.count("null"));
    std::set<std::string> lost, gained;
    for (const auto& t : ta)
      if (!admitted(tb, t)) lost.insert(t);
    for (const auto& t : tb)
      if (!admitted(ta, t)) gained.insert(t);
    const auto at = b.child("type") ? b.child("type") : b;
    if (lost.empty() && gained.empty()) return;
    if (lost == std::set<std::string>{"null"} && gained.empty()) return narrowed(path, "no longer nullable", at);
    if (gained == std::set<std::string>{"null"} && lost.empty()) return widened(path, "now nullable", at);
    if (!lost.empty() && !gained.empty() && a_plain && b_plain)
      return both(path, "type changed from " + list(ta) + " to " + list(tb), at);
    if (!lost.empty()) narrowed(path, "type " + list(lost) + " no longer allowed", at);
    if (!gained.empty()) widened(path, "type " + list(gained) + " now allowed", at);
  }

  void enums(NodeRef a, NodeRef b, const std::string& path) {
    // const is an enum of one.
    auto values = [](NodeRef s) -> std::optional<std::vector<json>> {
      if (const json* e = field(s, "enum"); e && e->is_array()) return std::vector<json>(e->begin(), e->end());
      if (const json* c = field(s, "const")) return std::vector<json>{*c};
      return std::nullopt;
    };
    const auto ea = values(a), eb = values(b);
    const NodeRef at = b.child("enum") ? b.child("enum") : b.child("const") ? b.child("const") : b;
    if (!ea && !eb) return;
    if (!ea) return narrowed(path, "now restricted to " + brief(json(*eb)), at);
    if (!eb) return widened(path, "no longer restricted to " + brief(json(*ea)), at);
    auto has = [](const std::vector<json>& in, const json& v) { return std::find(in.begin(), in.end(), v) != in.end(); };
    for (const auto& v : *ea)
      if (!has(*eb, v)) narrowed(path, "enum value " + brief(v) + " removed", at);
    for (const auto& v : *eb)
      if (!has(*ea, v)) widened(path, "enum value " + brief(v) + " added", at);
  }

  void bounds(NodeRef a, NodeRef b, const std::string& path) {
    for (const char* key : {"minimum", "minLength", "minItems", "minProperties"}) bound(a, b, path, key, true);
    for (const char* key : {"maximum", "maxLength", "maxItems", "maxProperties"}) bound(a, b, path, key, false);
    for (const char* key : {"exclusiveMinimum", "exclusiveMaximum"}) {
      const json* x = field(a, key);
      const json* y = field(b, key);
      if (x && y && *x == *y) continue;
      if ((x && x->is_number()) || (y && y->is_number())) {  // JSON Schema's numeric form: a bound of its own
        bound(a, b, path, key, std::string(key) == "exclusiveMinimum");
        continue;
      }
      const bool was = x && x->is_boolean() && x->get<bool>(), is = y && y->is_boolean() && y->get<bool>();
      if (!was && is) narrowed(path, std::string(key) + " now true", b.child(key));
      if (was && !is) widened(path, std::string(key) + " no longer true", b.child(key) ? b.child(key) : b);
    }
  }

  void bound(NodeRef a, NodeRef b, const std::string& path, const char* key, bool lower) {
    const json* x = field(a, key);
    const json* y = field(b, key);
    if (x && !x->is_number()) x = nullptr;
    if (y && !y->is_number()) y = nullptr;
    if (!x && !y) return;
    const NodeRef at = b.child(key) ? b.child(key) : b;
    if (!x) return narrowed(path, std::string(key) + " " + brief(*y) + " added", at);
    if (!y) return widened(path, std::string(key) + " " + brief(*x) + " removed", at);
    const double u = x->get<double>(), v = y->get<double>();
    if (u == v) return;
    const bool tighter = lower ? v > u : v < u;
    const std::string what = std::string(key) + " " + brief(*x) + " -> " + brief(*y);
    if (tighter) narrowed(path, what, at);
    else widened(path, what, at);
  }

  // Keywords whose change cannot be called wider or narrower in general:
  // added narrows, removed widens, changed is both.
  void exact_keywords(NodeRef a, NodeRef b, const std::string& path) {
    for (const char* key : {"pattern", "format", "multipleOf"}) {
      const json* x = field(a, key);
      const json* y = field(b, key);
      if ((!x && !y) || (x && y && *x == *y)) continue;
      if (!x) narrowed(path, std::string(key) + " " + brief(*y) + " added", b.child(key));
      else if (!y) widened(path, std::string(key) + " " + brief(*x) + " removed", b);
      else both(path, std::string(key) + " changed from " + brief(*x) + " to " + brief(*y), b.child(key));
    }
    if (!flag(a, "uniqueItems") && flag(b, "uniqueItems")) narrowed(path, "uniqueItems now true", b.child("uniqueItems"));
    if (flag(a, "uniqueItems") && !flag(b, "uniqueItems")) widened(path, "uniqueItems no longer true", b);
    const json* da = field(a, "discriminator");
    const json* db = field(b, "discriminator");
    auto property = [](const json* d) {
      return d && d->is_object() && d->contains("propertyName") ? d->at("propertyName").dump() : std::string();
    };
    if (property(da) != property(db))
      both(path, "discriminator changed from " + (da ? brief(*da) : "none") + " to " + (db ? brief(*db) : "none"),
           b.child("discriminator") ? b.child("discriminator") : b);
    const json* fa = field(a, "default");
    const json* fb = field(b, "default");
    if ((fa || fb) && !(fa && fb && *fa == *fb))
      add(false, path, "default " + (fa ? brief(*fa) : "none") + " -> " + (fb ? brief(*fb) : "none"),
          b.child("default") ? b.child("default") : b);
  }

  void properties(NodeRef a, NodeRef b, const std::string& path, int depth) {
    const ObjectView sa = object_view(a_docs_, a), sb = object_view(b_docs_, b);
    const auto& ra = sa.required;
    const auto& rb = sb.required;
    const json* ap_b = field(b, "additionalProperties");
    const bool b_closed = ap_b && ap_b->is_boolean() && !ap_b->get<bool>();
    const bool request = flow_ == Flow::kRequest;
    for (const auto& [name, at] : sa.properties) {
      if (sb.properties.count(name)) continue;
      const std::string sub = join_path(path, name);
      if (request)  // a client still sending it is refused only by a closed object
        add(b_closed, sub, b_closed ? "property removed (additionalProperties is false: sending it is refused)"
                                    : "property removed (the server may ignore it)", b);
      else
        add(true, sub, "property removed", at);
    }
    for (const auto& [name, at] : sb.properties) {
      const std::string sub = join_path(path, name);
      const auto old = sa.properties.find(name);
      if (old == sa.properties.end()) {
        if (request && rb.count(name) && !ra.count(name))
          add(true, sub, "new required property", at);
        else
          add(false, sub, std::string(rb.count(name) ? "required" : "optional") + " property added", at);
        continue;
      }
      compare(old->second, at, sub, depth + 1);
    }
    // Required-ness of what both have (and names required without a property).
    for (const auto& name : rb)
      if (!ra.count(name) && (sa.properties.count(name) || !sb.properties.count(name))) {
        const auto it = sb.properties.find(name);
        add(request, join_path(path, name), "now required", it != sb.properties.end() ? it->second : b);
      }
    for (const auto& name : ra)
      if (!rb.count(name) && sb.properties.count(name))
        add(!request, join_path(path, name), request ? "no longer required" : "no longer required: it may be absent",
            sb.properties.at(name));
    // additionalProperties: closed, open, or a schema of its own.
    const json* ap_a = field(a, "additionalProperties");
    const bool a_closed = ap_a && ap_a->is_boolean() && !ap_a->get<bool>();
    if (!a_closed && b_closed) narrowed(path, "additionalProperties now false", b.child("additionalProperties"));
    if (a_closed && !b_closed) add(false, path, "additionalProperties no longer false", b);
    if (ap_a && ap_a->is_object() && ap_b && ap_b->is_object())
      compare(a.child("additionalProperties"), b.child("additionalProperties"), join_path(path, "*"), depth + 1);
  }

  /// oneOf/anyOf members: paired by position when there are as many, else
  /// by the name of the component they refer to. (allOf members are merged
  /// into the object's properties, above.)
  void compositions(NodeRef a, NodeRef b, const std::string& path, int depth) {
    for (const char* key : {"oneOf", "anyOf"}) {
      const NodeRef ca = a.child(key), cb = b.child(key);
      const bool has_a = ca && ca.node->is_array(), has_b = cb && cb.node->is_array();
      if (!has_a && !has_b) continue;
      // More alternatives accept (or may give) more.
      auto more = [&](const std::string& what, NodeRef at) { widened(path, what, at); };
      auto fewer = [&](const std::string& what, NodeRef at) { narrowed(path, what, at); };
      if (!has_a) { more(std::string(key) + " added", cb); continue; }
      if (!has_b) { fewer(std::string(key) + " removed", b); continue; }
      const auto ka = member_keys(ca), kb = member_keys(cb);
      const bool by_position = ca.node->size() == cb.node->size();
      for (std::size_t i = 0; i < ka.size(); ++i) {
        std::size_t j = by_position ? i : std::find(kb.begin(), kb.end(), ka[i]) - kb.begin();
        if (j >= kb.size()) {
          fewer(std::string(key) + " member " + ka[i] + " removed", cb);
          continue;
        }
        compare(ca.item(i), cb.item(j), join_path(path, "(" + std::string(key) + " " + kb[j] + ")"), depth + 1);
      }
      if (!by_position)
        for (std::size_t j = 0; j < kb.size(); ++j)
          if (std::find(ka.begin(), ka.end(), kb[j]) == ka.end()) more(std::string(key) + " member " + kb[j] + " added", cb.item(j));
    }
  }

  /// Each member's name: the component a `$ref` names (its last segment), else its position.
  static std::vector<std::string> member_keys(NodeRef list) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < list.node->size(); ++i) {
      const json& m = (*list.node)[i];
      const auto ref = m.is_object() ? m.find("$ref") : m.end();
      if (m.is_object() && ref != m.end() && ref->is_string()) {
        const std::string r = ref->get<std::string>();
        out.push_back(r.substr(r.find_last_of('/') + 1));
      } else {
        out.push_back("#" + std::to_string(i));
      }
    }
    return out;
  }

  const DocumentSet& a_docs_;
  const DocumentSet& b_docs_;
  Flow flow_;
  std::vector<SchemaChange>& out_;
  std::set<std::pair<const json*, const json*>> seen_;
};

}  // namespace

std::vector<SchemaChange> diff_schemas(const DocumentSet& older_docs, NodeRef older, const DocumentSet& newer_docs,
                                       NodeRef newer, Flow flow) {
  std::vector<SchemaChange> out;
  SchemaDiff(older_docs, newer_docs, flow, out).compare(older, newer, "", 0);
  return out;
}

}  // namespace tollgate::contract
