#include "harness/probe/polling.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"
#include "common/yaml_json.h"
#include "contract/object_view.h"

namespace tollgate::probe {
namespace {

using contract::NodeRef;

bool names_state(const std::string& name) {
  const std::string n = ascii_lower(name);
  return n == "status" || n == "state" || n == "task_status" || n == "taskstatus";
}

/// Every documented string value of every state property, by pointer:
/// objects three levels deep, through oneOf/anyOf/allOf members.
void collect(const contract::DocumentSet& docs, NodeRef schema, const std::string& pointer, int depth,
             std::map<std::string, std::set<std::string>>& out) {
  const NodeRef s = schema ? docs.deref(schema) : schema;
  if (!s || !s.node->is_object() || depth > 3) return;
  for (const char* kw : {"oneOf", "anyOf", "allOf"})
    if (const NodeRef members = s.child(kw); members && members.node->is_array())
      for (std::size_t i = 0; i < members.node->size(); ++i) collect(docs, members.item(i), pointer, depth, out);
  const auto view = contract::object_view(docs, s);
  for (const auto& [name, sub] : view.properties) {
    const std::string at = pointer + "/" + escape_pointer_token(name);
    const NodeRef p = sub ? docs.deref(sub) : sub;
    if (names_state(name) && p && p.node->is_object()) {
      auto& values = out[at];
      const auto take = [&](NodeRef v) {  // a schema's enum and const strings
        if (const NodeRef e = v ? v.child("enum") : NodeRef{}; e && e.node->is_array())
          for (const auto& x : *e.node)
            if (x.is_string()) values.insert(x.get<std::string>());
        if (const NodeRef k = v ? v.child("const") : NodeRef{}; k && k.node->is_string())
          values.insert(k.node->get<std::string>());
      };
      take(p);
      for (const char* kw : {"oneOf", "anyOf"})  // a state may list its values as members
        if (const NodeRef members = p.child(kw); members && members.node->is_array())
          for (std::size_t i = 0; i < members.node->size(); ++i) take(docs.deref(members.item(i)));
    }
    collect(docs, sub, at, depth + 1, out);
  }
}

}  // namespace

bool is_final_state(const std::string& value) {
  static const std::set<std::string> final_states = {
      "success", "succeeded", "successful", "succeed", "completed", "complete", "incomplete", "done", "finished", "ready",
      "failed", "failure", "fail", "error", "errored", "cancelled", "canceled", "expired", "rejected", "timeout",
      "timed_out", "aborted"};
  return final_states.count(ascii_lower(value)) > 0;
}

std::optional<TaskState> task_state(const contract::Contract& c, const contract::Operation& op) {
  for (const auto& r : op.responses) {
    if (r.status.size() != 3 || r.status[0] != '2') continue;
    const auto* m = contract::find_media_type(r.content, "application/json");
    if (!m || !m->schema) continue;
    std::map<std::string, std::set<std::string>> found;
    collect(c.documents(), m->schema, "", 0, found);
    std::optional<TaskState> best;  // the shallowest: "/data/state" before "/data/x/status"
    const auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
    for (const auto& [pointer, values] : found) {
      TaskState t{pointer, {}};
      bool under_way = false;
      for (const auto& v : values) {
        if (is_final_state(v)) t.final_.push_back(v);
        else under_way = true;
      }
      if (under_way && !t.final_.empty() && (!best || depth(pointer) < depth(best->pointer))) best = std::move(t);
    }
    return best;
  }
  return std::nullopt;
}

}  // namespace tollgate::probe
