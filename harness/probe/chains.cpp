#include "harness/probe/chains.h"

#include <algorithm>
#include <optional>
#include <set>

#include "common/percent.h"
#include "common/text.h"
#include "common/yaml_json.h"
#include "contract/object_view.h"
#include "harness/probe/expectations.h"
#include "harness/probe/polling.h"

namespace tollgate::probe {
namespace {

using contract::NodeRef;

/// "task_id", "taskId" and "Task-Id" are one name.
std::string norm(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Source {
  std::string pointer;  ///< in the producer's answer: "/data/taskId", "/id", "/data/items/0/id"
  std::string name;
  int depth;
};

/// The values a success answer carries: its properties three levels deep,
/// into the first item of arrays.
void collect(const contract::DocumentSet& docs, NodeRef schema, const std::string& pointer, int depth,
             std::vector<Source>& out) {
  const NodeRef s = schema ? docs.deref(schema) : schema;
  if (!s || !s.node->is_object() || depth > 3) return;
  if (const NodeRef items = s.child("items")) {
    collect(docs, items, pointer + "/0", depth + 1, out);
    return;
  }
  const auto view = contract::object_view(docs, s);
  for (const auto& [name, sub] : view.properties) {
    out.push_back({pointer + "/" + escape_pointer_token(name), name, depth});
    collect(docs, sub, pointer + "/" + escape_pointer_token(name), depth + 1, out);
  }
}

std::vector<Source> sources_of(const contract::Contract& c, const contract::Operation& op) {
  std::vector<Source> out;
  for (const auto& r : op.responses) {
    if (r.status.size() != 3 || r.status[0] != '2') continue;
    if (const auto* m = contract::find_media_type(r.content, "application/json"); m && m->schema) {
      collect(c.documents(), m->schema, "", 0, out);
      break;
    }
  }
  return out;
}

/// Where in `producer`'s answer the value of `param` is: the same name,
/// else an `id` when the parameter is `<thing>_id` and the producer's path
/// names the thing ("response_id" and POST /v1/responses).
std::optional<Source> link(const contract::Operation& producer, const std::vector<Source>& sources,
                           const contract::Parameter& param) {
  const std::string want = norm(param.name);
  const Source* best = nullptr;
  for (const auto& s : sources)
    if (norm(s.name) == want && (!best || s.depth < best->depth)) best = &s;
  if (best) return *best;
  if (want.size() > 2 && want.compare(want.size() - 2, 2, "id") == 0) {
    const std::string thing = want.substr(0, want.size() - 2);
    if (ascii_lower(producer.path).find(thing) == std::string::npos) return std::nullopt;
    for (const auto& s : sources)
      if (norm(s.name) == "id" && (!best || s.depth < best->depth)) best = &s;
  }
  return best ? std::optional<Source>(*best) : std::nullopt;
}

/// A valid case of `op` to start from: an example first (a request the
/// contract's authors meant), else a generated one.
const Case* valid_case(const std::vector<Case>& cases, const contract::Operation& op) {
  for (CaseKind kind : {CaseKind::kExample, CaseKind::kPositive})
    for (const auto& k : cases)
      if (k.op == &op && k.kind == kind && !k.asks_stream) return &k;  // an id is read from a JSON answer
  return nullptr;
}

/// `base` (a valid case of `op`) with `param` given {{ref}}.
Case with_reference(const Case& base, const contract::Operation& op, const contract::Parameter& param) {
  Case k = base;
  k.templated = true;
  if (param.in == "query") {
    for (auto& [name, value] : k.query)
      if (name == param.name) value = "{{ref}}";
    return k;
  }
  // The concrete path again, segment by segment, {{ref}} where the parameter goes.
  std::vector<std::string> tmpl, concrete;
  auto split = [](const std::string& p, std::vector<std::string>& out) {
    std::size_t i = 0;
    while (i <= p.size()) {
      const auto j = p.find('/', i);
      out.push_back(p.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
  };
  split(op.path, tmpl);
  split(base.path, concrete);
  if (tmpl.size() != concrete.size()) return k;
  std::string path;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (i) path += "/";
    path += tmpl[i] == "{" + param.name + "}" ? std::string("{{ref}}") : concrete[i];
  }
  k.path = path;
  return k;
}

/// Where a chain's value comes from: a JSON Pointer into the producer's
/// answer, a header of it, or a value known before it is sent (an OpenAPI
/// link's `$request...` or constant).
struct From {
  std::string pointer, header;
  std::optional<std::string> value;
  std::string describe() const {
    if (value) return "'" + *value + "'";
    return header.empty() ? pointer + " of the answer" : "header " + header + " of the answer";
  }
};

/// The value of path parameter `name` in `k` (a case of `op`), decoded.
std::optional<std::string> path_value(const contract::Operation& op, const Case& k, const std::string& name) {
  std::size_t i = 0, j = 0;
  while (i < op.path.size() && j <= k.path.size()) {
    const auto ei = op.path.find('/', i), ej = k.path.find('/', j);
    const std::string t = op.path.substr(i, ei == std::string::npos ? std::string::npos : ei - i);
    const std::string v = k.path.substr(j, ej == std::string::npos ? std::string::npos : ej - j);
    if (t == "{" + name + "}") return percent_decode(v);
    if (ei == std::string::npos || ej == std::string::npos) break;
    i = ei + 1, j = ej + 1;
  }
  return std::nullopt;
}

/// An OpenAPI link's parameter expression, for the producer's case `made`:
/// `$response.body#/ptr`, `$response.header.Name`, `$request.path.x`,
/// `$request.query.x`, `$request.header.X`, `$request.body#/ptr`, or a
/// constant. Nothing for what the probe cannot know (`$url`, `$method`,
/// `$statusCode`, `{...}` embedded in text).
std::optional<From> link_source(const nlohmann::json& expr, const contract::Operation& producer, const Case& made) {
  if (!expr.is_string()) return From{"", "", expr.dump()};
  const std::string e = expr.get<std::string>();
  const auto starts = [&](const char* p) { return e.rfind(p, 0) == 0; };
  const auto rest = [&](const char* p) { return e.substr(std::string_view(p).size()); };
  if (starts("$response.body#")) return From{rest("$response.body#"), "", std::nullopt};
  if (starts("$response.header.")) return From{"", rest("$response.header."), std::nullopt};
  if (starts("$request.path.")) {
    if (auto v = path_value(producer, made, rest("$request.path."))) return From{"", "", *v};
    return std::nullopt;
  }
  if (starts("$request.query.") || starts("$request.header.")) {
    const bool query = starts("$request.query.");
    const std::string name = rest(query ? "$request.query." : "$request.header.");
    for (const auto& [n, v] : query ? made.query : made.headers)
      if (query ? n == name : iequals(n, name)) return From{"", "", v};
    return std::nullopt;
  }
  if (starts("$request.body#")) {
    if (!made.body) return std::nullopt;
    const auto doc = nlohmann::json::parse(*made.body, nullptr, false);
    try {
      const nlohmann::json::json_pointer ptr(rest("$request.body#"));
      if (doc.is_discarded() || !doc.contains(ptr)) return std::nullopt;
      const auto& v = doc.at(ptr);
      return From{"", "", v.is_string() ? v.get<std::string>() : v.dump()};
    } catch (const nlohmann::json::exception&) {
      return std::nullopt;
    }
  }
  if (starts("$") || e.find('{') != std::string::npos) return std::nullopt;
  return From{"", "", e};
}

/// The operation an OpenAPI link's `operationRef` names in this document:
/// "#/paths/~1items~1{id}/get".
const contract::Operation* by_ref(const contract::Contract& c, const std::string& ref) {
  if (ref.rfind("#/paths/", 0) != 0) return nullptr;
  try {
    const nlohmann::json::json_pointer method(percent_decode(ref.substr(1)));
    const auto path = method.parent_pointer(), paths = path.parent_pointer();
    if (paths.empty() || paths.back() != "paths" || !paths.parent_pointer().empty()) return nullptr;
    for (const auto& op : c.operations())
      if (op.path == path.back() && iequals(op.method, method.back())) return &op;
  } catch (const nlohmann::json::exception&) {  // not a JSON Pointer
  }
  return nullptr;
}

/// What a read after `sent` (an update) must show: each top-level scalar
/// the update's body set that the read's success answer has as a property
/// (not writeOnly, which no answer carries).
std::vector<std::pair<std::string, nlohmann::json>> updated_values(const contract::Contract& c,
                                                                   const contract::Operation& reader, const Case& sent) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  if (!sent.body) return out;
  const auto body = nlohmann::json::parse(*sent.body, nullptr, false);
  if (!body.is_object()) return out;
  for (const auto& r : reader.responses) {
    if (r.status.size() != 3 || r.status[0] != '2') continue;
    const auto* m = contract::find_media_type(r.content, "application/json");
    if (!m || !m->schema) continue;
    const auto view = contract::object_view(c.documents(), m->schema);
    for (const auto& [name, v] : body.items()) {
      const auto p = view.properties.find(name);
      if (p == view.properties.end() || !v.is_primitive() || v.is_null()) continue;
      const NodeRef prop = c.documents().deref(p->second);
      if (prop && prop.node->is_object() && prop.node->value("writeOnly", false)) continue;
      out.emplace_back("/" + escape_pointer_token(name), v);
    }
    break;
  }
  return out;
}

}  // namespace

std::vector<Case> chain_cases(const contract::Contract& c, const CaseOptions& options, const std::vector<Case>& cases,
                              std::vector<std::string>& notes) {
  (void)options;
  std::vector<Case> out;
  int chain = 0;
  for (const auto& k : cases) chain = std::max(chain, k.chain);
  const auto chosen = [&](const contract::Operation* op) {
    return std::any_of(cases.begin(), cases.end(), [&](const Case& k) { return k.op == op; });
  };
  const auto usable = [&](const contract::Operation& o) { return chosen(&o) && valid_case(cases, o); };
  const auto is_update = [](const contract::Operation& o) { return o.method == "PUT" || o.method == "PATCH"; };
  // A GET, PUT or PATCH of a path with a DELETE is sent in the DELETE's
  // chain (create, read, update, read, delete, read), not in one of its own.
  const auto in_delete_chain = [&](const contract::Operation& op) {
    return (op.method == "GET" || is_update(op)) &&
           std::any_of(c.operations().begin(), c.operations().end(), [&](const contract::Operation& o) {
             return o.method == "DELETE" && o.path == op.path && usable(o);
           });
  };

  // One chain: the producer's valid case with the value extracted, then the
  // consumer given it (a DELETE read before and after; a read of a task
  // repeated until the task is final).
  const auto build = [&](const contract::Operation& producer, const contract::Operation& consumer,
                         const contract::Parameter& param, const From& from, const std::string& why) {
    const Case* base = valid_case(cases, consumer);
    const Case* made = valid_case(cases, producer);
    if (!base || !made) return false;
    ++chain;
    const std::string label = (producer.id.empty() ? producer.path : producer.id) + " -> " +
                              (consumer.id.empty() ? consumer.path : consumer.id);
    Case first = *made;
    first.kind = CaseKind::kChain;
    first.chain = chain;
    first.name = "chain " + label + ": " + first.op->id + " (" + param.name + " from " + from.describe() + ")";
    first.expect = success();
    if (!from.value) {
      first.extract_var = "ref";
      first.extract_pointer = from.pointer;
      first.extract_header = from.header;
    }
    out.push_back(first);
    auto step = [&](const contract::Operation& op, const Case& from_case, std::vector<int> expect,
                    const std::string& what) {
      Case k = with_reference(from_case, op, param);
      k.kind = CaseKind::kChain;
      k.chain = chain;
      k.name = "chain " + label + ": " + what;
      k.expect = std::move(expect);
      if (from.value) {  // known before the chain is sent: written in
        k.templated = false;
        const std::string v = param.in == "query" ? *from.value : percent_encode(*from.value);
        for (auto at = k.path.find("{{ref}}"); at != std::string::npos; at = k.path.find("{{ref}}", at + v.size()))
          k.path.replace(at, 7, v);
        for (auto& [name, value] : k.query)
          if (value == "{{ref}}") value = *from.value;
      }
      out.push_back(std::move(k));
      return &out.back();
    };
    // A DELETE or an update is read before and after; a DELETE's chain
    // sends the path's updates first, each read back.
    const bool deletes = consumer.method == "DELETE";
    const contract::Operation* reader = nullptr;
    const Case* reader_case = nullptr;
    if (deletes || is_update(consumer))
      for (const auto& o : c.operations())
        if (o.method == "GET" && o.path == consumer.path && chosen(&o) && (reader_case = valid_case(cases, o))) {
          reader = &o;
          break;
        }
    std::vector<const contract::Operation*> updates;
    if (is_update(consumer)) updates.push_back(&consumer);
    if (deletes)
      for (const auto& o : c.operations())
        if (is_update(o) && o.path == consumer.path && usable(o)) updates.push_back(&o);
    if (reader) step(*reader, *reader_case, success(), reader->id + " reads what was made");
    for (const auto* u : updates) {
      const Case* sent = step(*u, u == &consumer ? *base : *valid_case(cases, *u), success(), u->id + " updates it");
      if (!reader) continue;
      auto shown = updated_values(c, *reader, *sent);  // before the next step moves `out`
      step(*reader, *reader_case, success(), reader->id + " reads the update")->expect_equal = std::move(shown);
    }
    std::string polled;
    if (!is_update(consumer)) {
      Case* taken = step(consumer, *base, success(), consumer.id + (deletes ? " deletes it" : " takes it"));
      if (consumer.method == "GET")
        if (const auto state = task_state(c, consumer)) {
          taken->poll_pointer = state->pointer;
          taken->poll_values = state->final_;
          taken->name = "chain " + label + ": " + consumer.id + " until " + state->pointer + " is final";
          polled = ", read until " + state->pointer + " is final";
        }
    }
    if (reader && deletes) {
      const bool documents_404 = reader->response_for(404) && reader->response_for(404)->status == "404";
      const std::vector<int> gone = documents_404 ? std::vector<int>{404} : refused();
      step(*reader, *reader_case, gone, reader->id + " after the delete: gone");
    }
    notes.push_back("chain " + label + ": " + param.name + " from " + from.describe() + why + polled);
    return true;
  };

  // The contract's own OpenAPI links first: a success response's `links`
  // naming an operationId or an operationRef in this document, with a path
  // or query parameter given by a runtime expression.
  std::set<const contract::Operation*> linked;
  for (const auto& producer : c.operations()) {
    if (!chosen(&producer)) continue;
    const Case* made = valid_case(cases, producer);
    for (const auto& r : producer.responses) {
      if (r.status.size() != 3 || r.status[0] != '2') continue;
      const NodeRef links = c.documents().deref(r.where).child("links");
      if (!links || !links.node->is_object()) continue;
      for (auto it = links.node->begin(); it != links.node->end(); ++it) {
        const std::string why = "link '" + it.key() + "' of " + producer.id;
        const NodeRef l = c.documents().deref(links.child(it.key()));
        const NodeRef id = l ? l.child("operationId") : NodeRef{};
        const NodeRef ref = l ? l.child("operationRef") : NodeRef{};
        const NodeRef params = l ? l.child("parameters") : NodeRef{};
        const contract::Operation* consumer = id && id.node->is_string() ? c.find(id.node->get<std::string>())
                                              : ref && ref.node->is_string() ? by_ref(c, ref.node->get<std::string>())
                                                                             : nullptr;
        if (!consumer || !chosen(consumer) || linked.count(consumer) || !params || !params.node->is_object() || !made) {
          notes.push_back(why + ": not followed (it names no probed operation in this document, or no parameters)");
          continue;
        }
        bool followed = false;
        for (auto p = params.node->begin(); p != params.node->end() && !followed; ++p) {
          std::string name = p.key();  // "path.id" names the parameter's place too
          std::string in;
          if (const auto dot = name.find('.'); dot != std::string::npos) in = name.substr(0, dot), name = name.substr(dot + 1);
          const contract::Parameter* param = nullptr;
          for (const auto& q : consumer->parameters)
            if (q.name == name && (q.in == "path" || q.in == "query") && (in.empty() || in == q.in)) param = &q;
          const auto from = param ? link_source(*p, producer, *made) : std::nullopt;
          if (!from) {
            notes.push_back(why + ": parameter '" + p.key() + "' not followed (only path or query parameters from "
                            "$response.body#/..., $response.header.X, $request.* or a constant are)");
            continue;
          }
          followed = build(producer, *consumer, *param, *from, " (OpenAPI " + why + ")");
          if (followed) linked.insert(consumer);
        }
      }
    }
  }

  // Then links inferred from ids in answers. Producers: operations with a
  // valid case and values in their answer, POST (a create) before PUT,
  // PATCH and GET; one that needs an id itself cannot make one.
  const auto takes_id = [](const contract::Operation& op) {
    return std::any_of(op.parameters.begin(), op.parameters.end(), [](const contract::Parameter& p) {
      return p.required && (p.in == "path" || p.in == "query") && is_reference(p.name);
    });
  };
  std::vector<const contract::Operation*> producers;
  for (const char* method : {"POST", "PUT", "PATCH", "GET"})
    for (const auto& op : c.operations())
      if (op.method == method && !takes_id(op) && valid_case(cases, op)) producers.push_back(&op);
  for (const auto& consumer : c.operations()) {
    if (!chosen(&consumer) || linked.count(&consumer) || in_delete_chain(consumer)) continue;
    const contract::Parameter* param = nullptr;
    for (const auto& p : consumer.parameters)
      if (p.required && (p.in == "path" || p.in == "query") && is_reference(p.name)) param = &p;
    if (!param || !valid_case(cases, consumer)) continue;
    for (const auto* producer : producers) {
      if (producer == &consumer || producer->path == consumer.path) continue;
      const auto found = link(*producer, sources_of(c, *producer), *param);
      if (found && build(*producer, consumer, *param, From{found->pointer, "", std::nullopt}, "")) break;
    }
  }
  return out;
}

}  // namespace tollgate::probe
