#include "contract/diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"
#include "contract/schema_diff.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

/// "/task/{task_id}" -> "/task/{}": path parameter names do not change an operation.
std::string path_shape(const std::string& path) {
  std::string out;
  bool in_param = false;
  for (char c : path) {
    if (c == '{') in_param = true, out += "{}";
    else if (c == '}') in_param = false;
    else if (!in_param) out += c;
  }
  return out;
}

std::string key_of(const Operation& op) { return op.method + " " + path_shape(op.path); }

/// Path parameters by position ("path #0"), the others by where and name.
std::string parameter_key(const Operation& op, const Parameter& p) {
  if (p.in != "path") return p.in + " " + (p.in == "header" ? ascii_lower(p.name) : p.name);
  const auto at = op.path.find("{" + p.name + "}");
  return "path #" + std::to_string(std::count(op.path.begin(), op.path.begin() + (at == std::string::npos ? 0 : at), '{'));
}

/// The security alternatives an operation accepts: each the sorted scheme
/// names it needs ("" for anonymous); nullopt when none is declared.
std::optional<std::set<std::string>> security_of(const Contract& c, const Operation& op) {
  NodeRef sec = op.where.child("security");
  if (!sec) sec = c.documents().root_ref().child("security");
  if (!sec || !sec.node->is_array()) return std::nullopt;
  std::set<std::string> out;
  for (const auto& alt : *sec.node) {
    if (!alt.is_object()) continue;
    std::vector<std::string> names;
    for (auto it = alt.begin(); it != alt.end(); ++it) names.push_back(it.key());
    std::sort(names.begin(), names.end());
    std::string joined;
    for (const auto& n : names) joined += (joined.empty() ? "" : " + ") + n;
    out.insert(joined);
  }
  return out;
}

std::string alternatives(const std::set<std::string>& alts) {
  std::string out;
  for (const auto& a : alts) out += (out.empty() ? "" : ", ") + (a.empty() ? std::string("none (anonymous)") : a);
  return out.empty() ? "nothing" : out;
}

class Differ {
 public:
  Differ(const Contract& a, const Contract& b, DiffReport& report) : a_(a), b_(b), out_(report.changes) {}

  void run() {
    const auto ka = keys(a_), kb = keys(b_);
    std::map<std::string, const Operation*> newer;
    for (std::size_t i = 0; i < kb.size(); ++i) newer.emplace(kb[i], &b_.operations()[i]);
    std::set<std::string> matched;
    for (std::size_t i = 0; i < ka.size(); ++i) {
      const Operation& op = a_.operations()[i];
      const auto it = newer.find(ka[i]);
      if (it == newer.end()) {
        add(true, name(op), "", "operation removed", op.where);
        continue;
      }
      matched.insert(it->first);
      operation(op, *it->second);
    }
    for (std::size_t i = 0; i < kb.size(); ++i)
      if (!matched.count(kb[i])) add(false, name(b_.operations()[i]), "", "operation added", b_.operations()[i].where);
  }

  /// Each operation's key; two with the same method and path shape
  /// ("/a/{x}" and "/a/{y}") are told apart by their order.
  static std::vector<std::string> keys(const Contract& c) {
    std::vector<std::string> out;
    std::map<std::string, int> seen;
    for (const auto& op : c.operations()) {
      const std::string k = key_of(op);
      const int n = seen[k]++;
      out.push_back(n ? k + " #" + std::to_string(n) : k);
    }
    return out;
  }

 private:
  static std::string name(const Operation& op) { return op.method + " " + op.path; }

  void add(bool breaking, const std::string& op, const std::string& where, const std::string& what, NodeRef at) {
    out_.push_back({breaking, op, where, what, at ? at.location() : SourceLocation{}});
  }

  void schemas(const std::string& op, const std::string& where, NodeRef a, NodeRef b, Flow flow) {
    for (auto& c : diff_schemas(a_.documents(), a, b_.documents(), b, flow))
      out_.push_back({c.breaking, op, c.path.empty() ? where : where + ": " + c.path, std::move(c.what), std::move(c.at)});
  }

  void operation(const Operation& a, const Operation& b) {
    const std::string op = name(b);
    if (a.id != b.id)
      add(false, op, "", "operationId '" + a.id + "' -> '" + b.id + "' (generated clients rename the method)", b.where);
    parameters(op, a, b);
    request_body(op, a, b);
    responses(op, a, b);
    security(op, a, b);
    callbacks(op, a, b);
  }

  /// Each parameter's key (the same one twice told apart by order).
  static std::vector<std::string> parameter_keys(const Operation& op) {
    std::vector<std::string> out;
    std::map<std::string, int> seen;
    for (const auto& p : op.parameters) {
      const std::string k = parameter_key(op, p);
      const int n = seen[k]++;
      out.push_back(n ? k + " #" + std::to_string(n) : k);
    }
    return out;
  }

  void parameters(const std::string& op, const Operation& a, const Operation& b) {
    const auto ka = parameter_keys(a), kb = parameter_keys(b);
    std::map<std::string, const Parameter*> newer;
    for (std::size_t i = 0; i < kb.size(); ++i) newer.emplace(kb[i], &b.parameters[i]);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < ka.size(); ++i) {
      const Parameter& p = a.parameters[i];
      const std::string& key = ka[i];
      seen.insert(key);
      const auto it = newer.find(key);
      const std::string where = "parameter " + p.in + " '" + p.name + "'";
      if (it == newer.end()) {
        add(true, op, where, "parameter removed (a client sending it may be refused or ignored)", p.where);
        continue;
      }
      const Parameter& q = *it->second;
      if (!p.required && q.required) add(true, op, where, "now required", q.where);
      if (p.required && !q.required) add(false, op, where, "no longer required", q.where);
      if (p.in == "path" && p.name != q.name) add(false, op, where, "renamed to '" + q.name + "'", q.where);
      schemas(op, where, p.schema, q.schema, Flow::kRequest);
    }
    for (std::size_t i = 0; i < kb.size(); ++i)
      if (const Parameter& q = b.parameters[i]; !seen.count(kb[i]))
        add(q.required, op, "parameter " + q.in + " '" + q.name + "'",
            q.required ? "new required parameter" : "optional parameter added", q.where);
  }

  void request_body(const std::string& op, const Operation& a, const Operation& b) {
    if (!a.body_required && b.body_required) add(true, op, "request body", "now required", b.where.child("requestBody"));
    if (a.body_required && !b.body_required) add(false, op, "request body", "no longer required", b.where.child("requestBody"));
    media(op, "request body", a.request_body, b.request_body, Flow::kRequest, b.where);
  }

  /// Media types of a body, matched by name: one removed is breaking (a
  /// client sent it, or asked for it and read it), one added is not (a
  /// client chooses it by Content-Type or Accept).
  void media(const std::string& op, const std::string& where, const std::vector<MediaType>& a,
             const std::vector<MediaType>& b, Flow flow, NodeRef b_at) {
    auto find = [](const std::vector<MediaType>& in, const std::string& type) -> const MediaType* {
      for (const auto& m : in)
        if (m.content_type == type) return &m;
      for (const auto& m : in)
        if (ascii_lower(m.content_type) == ascii_lower(type)) return &m;
      return nullptr;
    };
    for (const auto& m : a) {
      const MediaType* n = find(b, m.content_type);
      const std::string w = where + " " + m.content_type;
      if (!n) {
        add(true, op, w, "media type removed", m.where ? m.where : b_at);
        continue;
      }
      schemas(op, w, m.schema, n->schema, flow);
      if (m.sse_chunk || n->sse_chunk) schemas(op, w + " events", m.sse_chunk, n->sse_chunk, flow);
      if (m.sse_done != n->sse_done)
        add(true, op, w, "stream terminator '" + m.sse_done + "' -> '" + n->sse_done + "'", n->where);
      if (m.sse_end != n->sse_end) add(true, op, w, "the event types that end the stream changed", n->where);
    }
    for (const auto& n : b)
      if (!find(a, n.content_type))
        add(false, op, where + " " + n.content_type, "media type added", n.where ? n.where : b_at);
  }

  void responses(const std::string& op, const Operation& a, const Operation& b) {
    for (const auto& r : a.responses) {
      const std::string where = "response " + r.status;
      const auto it = std::find_if(b.responses.begin(), b.responses.end(),
                                   [&](const ResponseSpec& s) { return s.status == r.status; });
      if (it == b.responses.end()) {
        add(true, op, where, "status removed", r.where);
        continue;
      }
      media(op, where, r.content, it->content, Flow::kResponse, it->where);
      for (const auto& h : r.headers) {
        const auto hit = std::find_if(it->headers.begin(), it->headers.end(),
                                      [&](const HeaderSpec& x) { return ascii_lower(x.name) == ascii_lower(h.name); });
        const std::string hw = where + " header " + h.name;
        if (hit == it->headers.end()) {
          add(h.required, op, hw, h.required ? "required header removed" : "header removed", it->where);
          continue;
        }
        if (h.required && !hit->required) add(true, op, hw, "no longer required: it may be absent", it->where);
        schemas(op, hw, h.schema, hit->schema, Flow::kResponse);
      }
    }
    for (const auto& r : b.responses)
      if (std::none_of(a.responses.begin(), a.responses.end(), [&](const ResponseSpec& s) { return s.status == r.status; }))
        add(false, op, "response " + r.status, "status added", r.where);
  }

  void security(const std::string& op, const Operation& a, const Operation& b) {
    const auto sa = security_of(a_, a), sb = security_of(b_, b);
    const std::set<std::string> none{""};
    const auto& xa = sa ? *sa : none;
    const auto& xb = sb ? *sb : none;
    if (xa == xb) return;
    const NodeRef at = b.where.child("security") ? b.where.child("security") : b.where;
    for (const auto& alt : xa)
      if (!xb.count(alt))
        add(true, op, "security", "credentials " + alternatives({alt}) + " no longer accepted (now: " + alternatives(xb) + ")", at);
    for (const auto& alt : xb)
      if (!xa.count(alt)) add(false, op, "security", "credentials " + alternatives({alt}) + " now accepted", at);
  }

  void callbacks(const std::string& op, const Operation& a, const Operation& b) {
    for (const auto& c : a.callbacks) {
      const auto it = std::find_if(b.callbacks.begin(), b.callbacks.end(), [&](const Callback& x) {
        return x.name == c.name && x.method == c.method;
      });
      const std::string where = "callback " + c.name;
      if (it == b.callbacks.end()) {
        add(true, op, where, "callback removed", c.where);
        continue;
      }
      if (it->expression != c.expression) add(true, op, where, "URL expression changed to " + it->expression, it->where);
      // The API sends the callback: its body flows to the client like a response.
      media(op, where + " body", c.body, it->body, Flow::kResponse, it->where);
    }
    for (const auto& c : b.callbacks)
      if (std::none_of(a.callbacks.begin(), a.callbacks.end(), [&](const Callback& x) { return x.name == c.name; }))
        add(false, op, "callback " + c.name, "callback added", c.where);
  }

  const Contract& a_;
  const Contract& b_;
  std::vector<Change>& out_;
};

}  // namespace

std::size_t DiffReport::breaking() const {
  return static_cast<std::size_t>(std::count_if(changes.begin(), changes.end(), [](const Change& c) { return c.breaking; }));
}

DiffReport diff(const Contract& older, const Contract& newer) {
  DiffReport report;
  Differ(older, newer, report).run();
  std::stable_partition(report.changes.begin(), report.changes.end(), [](const Change& c) { return c.breaking; });
  return report;
}

}  // namespace tollgate::contract
