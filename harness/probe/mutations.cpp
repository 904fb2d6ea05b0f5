#include "harness/probe/mutations.h"

#include <set>

#include "contract/object_view.h"

namespace tollgate::probe {
namespace {

using contract::NodeRef;
using nlohmann::json;

/// An array is not written past this many items (a maxItems of 10,000
/// is not probed at its edge).
constexpr double kMaxItemsSent = 1000;

std::set<std::string> types_of(NodeRef s) {
  std::set<std::string> out;
  if (!s || !s.node->is_object()) return out;
  if (const auto t = s.node->find("type"); t != s.node->end()) {
    if (t->is_string()) out.insert(t->get<std::string>());
    if (t->is_array())
      for (const auto& x : *t)
        if (x.is_string()) out.insert(x.get<std::string>());
  }
  return out;
}

/// A value of a JSON type `types` does not admit, and that type's name.
std::optional<std::pair<json, std::string>> wrong_type(const std::set<std::string>& types) {
  if (types.empty()) return std::nullopt;  // any type
  if (!types.count("string")) return std::pair<json, std::string>{"zz-wrong-type", "string"};
  if (!types.count("integer") && !types.count("number")) return std::pair<json, std::string>{12345, "integer"};
  if (!types.count("object")) return std::pair<json, std::string>{json{{"zz", 1}}, "object"};
  return std::nullopt;
}

const json* number_at(NodeRef s, const char* key) {
  const auto it = s.node->find(key);
  return it != s.node->end() && it->is_number() ? &*it : nullptr;
}

class Mutator {
 public:
  /// `edges`: valid values at the schema's edges instead of broken ones.
  Mutator(const contract::DocumentSet& docs, const json& valid, std::vector<Mutation>& out, bool edges = false)
      : docs_(docs), valid_(valid), out_(out), edges_(edges) {}

  void object(NodeRef schema, const json::json_pointer& at, int depth) {
    const json& here = valid_.at(at);
    if (!here.is_object()) return;
    const auto view = contract::object_view(docs_, schema);
    const std::string where = at.empty() ? "" : at.to_string();
    if (edges_) {
      for (const auto& [name, sub] : view.properties)
        if (here.contains(name)) edge(docs_.deref(sub), at / name, depth);
      return;
    }
    for (const auto& name : view.required)
      if (here.contains(name)) add(where + "/" + name + ": required, left out", [&](json& b) { b.at(at).erase(name); });
    if (view.closed)
      add((where.empty() ? "/" : where) + ": a property additionalProperties: false refuses",
          [&](json& b) { b.at(at)["zz_unexpected_property"] = 1; });
    for (const auto& [name, sub] : view.properties) {
      if (!here.contains(name)) continue;
      const auto child = at / name;
      value(docs_.deref(sub), child, depth);
    }
  }

 private:
  void value(NodeRef s, const json::json_pointer& at, int depth) {
    if (!s || !s.node->is_object()) return;
    const std::string where = at.to_string();
    const auto types = types_of(s);
    if (auto w = wrong_type(types))
      add(where + ": wrong type (" + w->second + ")", [&](json& b) { b.at(at) = w->first; });
    if (!types.empty() && !types.count("null") && s.node->value("nullable", json(false)) != json(true))
      add(where + ": null (not nullable)", [&](json& b) { b.at(at) = nullptr; });
    if (const auto e = s.node->find("enum"); e != s.node->end() && e->is_array())
      add(where + ": not one of its enum", [&](json& b) { b.at(at) = "zz-not-in-enum"; });
    const json& v = valid_.at(at);
    if (v.is_number()) {
      const bool integer = types.count("integer") > 0;
      if (const json* m = number_at(s, "minimum")) {
        const double below = integer ? std::floor(m->get<double>()) - 1 : m->get<double>() - 1;
        add(where + ": below minimum " + m->dump(), [&](json& b) {
          b.at(at) = integer ? json(static_cast<std::int64_t>(below)) : json(below);
        });
      }
      if (const json* m = number_at(s, "maximum")) {
        const double above = integer ? std::ceil(m->get<double>()) + 1 : m->get<double>() + 1;
        add(where + ": above maximum " + m->dump(), [&](json& b) {
          b.at(at) = integer ? json(static_cast<std::int64_t>(above)) : json(above);
        });
      }
    }
    if (v.is_string()) {
      if (const json* m = number_at(s, "maxLength"); m && m->get<double>() < 100000)
        add(where + ": longer than maxLength " + m->dump(),
            [&](json& b) { b.at(at) = std::string(static_cast<std::size_t>(m->get<double>()) + 1, 'z'); });
      if (const json* m = number_at(s, "minLength"); m && m->get<double>() >= 1)
        add(where + ": shorter than minLength " + m->dump(),
            [&](json& b) { b.at(at) = std::string(static_cast<std::size_t>(m->get<double>()) - 1, 'z'); });
      if (const auto f = s.node->find("format"); f != s.node->end() && f->is_string())
        add(where + ": not a " + f->get<std::string>() + " (format)",
            [&](json& b) { b.at(at) = "zz not a " + f->get<std::string>() + " ::"; });
    }
    if (v.is_array()) {
      if (const json* m = number_at(s, "minItems"); m && m->get<double>() >= 1)
        add(where + ": fewer items than minItems " + m->dump(), [&](json& b) { b.at(at) = json::array(); });
      if (const json* m = number_at(s, "maxItems"); m && !v.empty() && m->get<double>() < kMaxItemsSent)
        add(where + ": more items than maxItems " + m->dump(), [&](json& b) {
          b.at(at) = json::array_t(static_cast<std::size_t>(m->get<double>()) + 1, v.front());
        });
    }
    descend(s, at, depth);
  }

  /// Into an object's properties and an array's first item, two levels
  /// below the top at most.
  void descend(NodeRef s, const json::json_pointer& at, int depth) {
    if (depth >= 2) return;
    const json& v = valid_.at(at);
    if (v.is_object()) object(s, at, depth + 1);
    if (v.is_array() && !v.empty())
      if (const NodeRef items = s.child("items")) {
        const NodeRef item = docs_.deref(items);
        if (edges_) edge(item, at / 0, depth + 1);
        else value(item, at / 0, depth + 1);
      }
  }

  void edge(NodeRef s, const json::json_pointer& at, int depth) {
    if (!s || !s.node->is_object()) return;
    const std::string where = at.to_string();
    const json& v = valid_.at(at);
    const bool exclusive_min = s.node->value("exclusiveMinimum", json(false)) == json(true);
    const bool exclusive_max = s.node->value("exclusiveMaximum", json(false)) == json(true);
    if (v.is_number()) {
      if (const json* m = number_at(s, "minimum"); m && !exclusive_min)
        add(where + " at its minimum " + m->dump(), [&](json& b) { b.at(at) = *m; });
      if (const json* m = number_at(s, "maximum"); m && !exclusive_max)
        add(where + " at its maximum " + m->dump(), [&](json& b) { b.at(at) = *m; });
    }
    if (v.is_string()) {
      if (const json* m = number_at(s, "minLength"))
        add(where + " at its minLength " + m->dump(),
            [&](json& b) { b.at(at) = std::string(static_cast<std::size_t>(m->get<double>()), 'a'); });
      if (const json* m = number_at(s, "maxLength"); m && m->get<double>() <= 100000)
        add(where + " at its maxLength " + m->dump(),
            [&](json& b) { b.at(at) = std::string(static_cast<std::size_t>(m->get<double>()), 'a'); });
    }
    if (v.is_array()) {
      const json* lo = number_at(s, "minItems");
      if (lo && lo->get<double>() < static_cast<double>(v.size()))
        add(where + " at its minItems " + lo->dump(),
            [&](json& b) { b.at(at).get_ref<json::array_t&>().resize(static_cast<std::size_t>(lo->get<double>())); });
      if (!lo && !v.empty()) add(where + " empty", [&](json& b) { b.at(at) = json::array(); });
      if (const json* hi = number_at(s, "maxItems");
          hi && !v.empty() && hi->get<double>() > static_cast<double>(v.size()) && hi->get<double>() <= kMaxItemsSent)
        add(where + " at its maxItems " + hi->dump(),
            [&](json& b) { b.at(at) = json::array_t(static_cast<std::size_t>(hi->get<double>()), v.front()); });
    }
    if (const auto e = s.node->find("enum"); e != s.node->end() && e->is_array()) {
      int n = 0;
      for (const auto& option : *e)
        if (option != v && !option.is_null() && n++ < 10)
          add(where + " = " + option.dump(-1, ' ', false, json::error_handler_t::replace),
              [&](json& b) { b.at(at) = option; });
    }
    descend(s, at, depth);
  }

  template <typename Edit>
  void add(const std::string& what, Edit&& edit) {
    json b = valid_;
    edit(b);
    out_.push_back({what, std::move(b)});
  }

  const contract::DocumentSet& docs_;
  const json& valid_;
  std::vector<Mutation>& out_;
  bool edges_ = false;
};

}  // namespace

std::vector<Mutation> edges(const contract::DocumentSet& docs, NodeRef schema, const json& valid) {
  std::vector<Mutation> out;
  const NodeRef s = docs.deref(schema);
  if (s && valid.is_object()) Mutator(docs, valid, out, true).object(s, json::json_pointer(), 0);
  return out;
}

std::vector<Mutation> mutate(const contract::DocumentSet& docs, NodeRef schema, const json& valid) {
  std::vector<Mutation> out;
  const NodeRef s = docs.deref(schema);
  if (!s) return out;
  const auto types = types_of(s);
  if (valid.is_object()) {
    if (types.count("object") && !types.count("array")) out.push_back({"/: an array, not an object", json::array()});
    Mutator(docs, valid, out).object(s, json::json_pointer(), 0);
  }
  return out;
}

}  // namespace tollgate::probe
