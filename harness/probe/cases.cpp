#include "harness/probe/cases.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "common/percent.h"
#include "common/text.h"
#include "contract/object_view.h"
#include "contract/value_generator.h"
#include "harness/probe/chains.h"
#include "harness/probe/credentials.h"
#include "harness/probe/expectations.h"
#include "harness/probe/parameters.h"
#include "harness/probe/mutations.h"

namespace tollgate::probe {
namespace {

using nlohmann::json;

const char* const kJson = "application/json";

std::string op_label(const contract::Operation& op) { return op.id.empty() ? op.method + " " + op.path : op.id; }

std::vector<std::string> tags_of(const contract::Operation& op) {
  std::vector<std::string> out;
  if (const auto t = op.where.child("tags"); t && t.node->is_array())
    for (const auto& x : *t.node)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

bool selected(const contract::Operation& op, const CaseOptions& o) {
  auto has = [](const std::vector<std::string>& in, const std::string& v) {
    return std::find(in.begin(), in.end(), v) != in.end();
  };
  if (!o.operations.empty() && !has(o.operations, op.id)) return false;
  if (has(o.exclude_operations, op.id)) return false;
  if (!o.destructive && (op.method == "DELETE" || op.method == "PUT" || op.method == "PATCH")) return false;
  if (!o.tags.empty()) {
    const auto tags = tags_of(op);
    if (std::none_of(tags.begin(), tags.end(), [&](const std::string& t) { return has(o.tags, t); })) return false;
  }
  return true;
}

bool wants(const CaseOptions& o, CaseKind k) { return std::find(o.kinds.begin(), o.kinds.end(), k) != o.kinds.end(); }

/// One operation's requests: the parameters filled, then a body per case.
class OperationCases {
 public:
  OperationCases(const contract::Contract& c, const contract::Operation& op, const CaseOptions& o, CaseSet& out)
      : c_(c), op_(op), o_(o), out_(out) {}

  void run() {
    if (!fill_parameters(o_.seed, true, base_)) {
      out_.notes.push_back(op_label(op_) + ": a required parameter could not be generated; not probed");
      return;
    }
    media_ = op_.request_body.empty() ? nullptr : contract::find_media_type(op_.request_body, kJson);
    if (!op_.request_body.empty() && !media_) {
      out_.notes.push_back(op_label(op_) + ": no JSON request body (" + op_.request_body[0].content_type +
                           "); only its parameters are probed");
    }
    valid_base_ = base_body();
    if (wants(o_, CaseKind::kExample)) examples();
    if (wants(o_, CaseKind::kPositive)) positives();
    if (wants(o_, CaseKind::kNegative)) negatives();
    if (wants(o_, CaseKind::kAuth) && needs_credentials(c_, op_)) auth();
  }

 private:
  struct Request {
    std::string path;
    std::vector<std::pair<std::string, std::string>> query, headers;
  };

  bool fill_parameters(std::uint64_t seed, bool shown_first, Request& r) {
    std::string path = op_.path;
    for (const auto& p : op_.parameters) {
      if (p.in == "cookie") continue;
      if (p.in == "header" && (iequals(p.name, "authorization") || iequals(p.name, "content-type"))) continue;
      if (!p.required && p.in != "path") continue;
      auto v = parameter_value(c_, p, seed + fnv1a(p.name), shown_first);
      if (!v) return false;
      if (p.in == "path") {
        const std::string hole = "{" + p.name + "}";
        if (const auto at = path.find(hole); at != std::string::npos) path.replace(at, hole.size(), percent_encode(*v));
      } else if (p.in == "query") {
        r.query.emplace_back(p.name, *v);
      } else {
        r.headers.emplace_back(p.name, *v);
      }
    }
    r.path = path;
    return true;
  }

  /// A required parameter that names another resource (a task id): a made-up
  /// one names nothing, so a valid case may be told it is not found.
  bool takes_reference() const {
    return std::any_of(op_.parameters.begin(), op_.parameters.end(), [](const contract::Parameter& p) {
      return p.required && (p.in == "path" || p.in == "query") && is_reference(p.name);
    });
  }

  Case make(CaseKind kind, const std::string& what, const Request& r) {
    Case k;
    k.kind = kind;
    k.op = &op_;
    k.name = op_label(op_) + " " + kind_name(kind) + (what.empty() ? "" : ": " + what);
    k.method = op_.method;
    k.path = r.path;
    k.query = r.query;
    k.headers = r.headers;
    k.expect = kind == CaseKind::kNegative ? refused() : accepted(op_);
    if (kind != CaseKind::kNegative && takes_reference()) {
      for (int s : documented(op_))
        if ((s == 400 || s == 404) && std::find(k.expect.begin(), k.expect.end(), s) == k.expect.end()) k.expect.push_back(s);
      std::sort(k.expect.begin(), k.expect.end());
      if (!noted_reference_) {
        noted_reference_ = true;
        out_.notes.push_back(op_label(op_) + ": its id parameter is made up in single cases, so they may be answered "
                             "'not found' (400/404 pass; a chain, when one is inferred, uses a real one)");
      }
    }
    return k;
  }

  void with_body(Case& k, const json& body) const {
    k.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    k.headers.emplace_back("Content-Type", kJson);
    k.asks_stream = body.is_object() && body.contains("stream") && body["stream"] == true;
  }

  /// The body as it goes on the wire: bytes that are not UTF-8 (a contract's
  /// own) replaced, so what is judged valid or not is what is sent.
  static json as_sent(const json& body) {
    return json::parse(body.dump(-1, ' ', false, json::error_handler_t::replace), nullptr, false);
  }
  bool valid(const json& body) const { return c_.validate_request(op_, kJson, as_sent(body)).empty(); }

  /// Where the server is to call back goes to --callback-url (by default
  /// loopback), never to a generated host.
  json calling_back_home(json body) {
    bool changed = false;
    std::function<void(json&)> walk = [&](json& v) {
      if (!v.is_object()) return;
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string key = ascii_lower(it.key());
        if (it->is_string() && (key.find("callback") != std::string::npos || key.find("webhook") != std::string::npos)) {
          *it = o_.callback_url;
          changed = true;
        } else {
          walk(*it);
        }
      }
    };
    json out = body;
    walk(out);
    return changed && valid(out) ? out : body;
  }

  /// A made-up id names nothing on the server: optional properties that
  /// refer to another resource are left out of what is sent as valid
  /// (stateful sequences, which would fill them from earlier answers, are
  /// not generated yet).
  json without_references(json body) {
    if (!body.is_object() || !media_) return body;
    body = calling_back_home(std::move(body));
    const auto view = contract::object_view(c_.documents(), media_->schema);
    for (const auto& [name, sub] : view.properties) {
      if (view.required.count(name) || !is_reference(name) || !body.contains(name)) continue;
      json trimmed = body;
      trimmed.erase(name);
      if (!valid(trimmed)) continue;
      body = std::move(trimmed);
      if (dropped_.insert(name).second)
        out_.notes.push_back(op_label(op_) + ": '" + name + "' left out of valid cases: a made-up id names nothing");
    }
    return body;
  }

  void examples() {
    if (!media_) return;
    std::vector<json> found;
    if (const auto e = media_->where.child("example")) found.push_back(*e.node);
    if (const auto ex = media_->where.child("examples"); ex && ex.node->is_object())
      for (auto it = ex.node->begin(); it != ex.node->end(); ++it)
        if (const auto v = c_.documents().deref(ex.child(it.key())).child("value")) found.push_back(*v.node);
    int n = 0;
    for (const auto& body : found) {
      ++n;
      if (!valid(body)) {
        out_.notes.push_back(op_label(op_) + ": request example " + std::to_string(n) +
                             " does not match its schema; not sent (contract lint names it)");
        continue;
      }
      Case k = make(CaseKind::kExample, std::to_string(n), base_);
      with_body(k, without_references(body));
      out_.cases.push_back(std::move(k));
    }
  }

  /// The valid body negatives and auth cases start from: a generated one
  /// (every optional property present), else the first valid example.
  std::optional<json> base_body() {
    if (!media_ || !media_->schema) return std::nullopt;
    for (std::uint64_t i = 0; i < 5; ++i) {
      contract::GenerateOptions g;
      g.seed = o_.seed * 1000003 + i;
      g.use_examples = true;
      try {
        json body = contract::generate_value(*media_->schema.node, media_->schema.doc->value, g);
        if (valid(body)) return without_references(std::move(body));
      } catch (const contract::GenerateError&) {
        break;
      }
    }
    if (const auto e = media_->where.child("example"); e && valid(*e.node)) return *e.node;
    return std::nullopt;
  }

  /// Generated bodies: the first with every optional property, the second
  /// with only the required ones, then others from further seeds.
  void positives() {
    if (!media_ || !media_->schema) {
      if (op_.request_body.empty() || !op_.body_required) {  // parameters only: a few distinct fillings
        for (int i = 0; i < o_.max_examples; ++i) {
          Request r;
          if (!fill_parameters(o_.seed + 7919 * static_cast<std::uint64_t>(i), true, r)) continue;
          if (i > 0 && r.path == base_.path && r.query == base_.query && r.headers == base_.headers) continue;
          out_.cases.push_back(make(CaseKind::kPositive, std::to_string(i + 1), r));
        }
      }
      return;
    }
    int made = 0;
    for (int i = 0; made < o_.max_examples && i < o_.max_examples * 3; ++i) {
      contract::GenerateOptions g;
      g.seed = o_.seed * 1000003 + static_cast<std::uint64_t>(i);
      g.optional_properties = i != 1;
      g.use_examples = true;
      json body;
      try {
        body = contract::generate_value(*media_->schema.node, media_->schema.doc->value, g);
      } catch (const contract::GenerateError& e) {
        out_.notes.push_back(op_label(op_) + ": no body could be generated: " + e.what());
        return;
      }
      if (!valid(body)) continue;  // a pattern or a bound the generator could not meet
      body = without_references(std::move(body));
      Case k = make(CaseKind::kPositive, std::to_string(++made), base_);
      with_body(k, body);
      out_.cases.push_back(std::move(k));
    }
    if (made == 0) out_.notes.push_back(op_label(op_) + ": no generated body matched the schema; no positive case");
    // The edges: each bound, length and enum value, one at a time.
    if (!valid_base_) return;
    for (auto& m : edges(c_.documents(), media_->schema, *valid_base_)) {
      if (!valid(m.body)) continue;  // a pattern or another rule refuses it: not an edge of what is allowed
      Case k = make(CaseKind::kPositive, "edge " + m.what, base_);
      with_body(k, m.body);
      out_.cases.push_back(std::move(k));
    }
  }

  void negatives() {
    // Parameters: a required query parameter left out, a typed or
    // enumerated one given a value its schema refuses.
    for (const auto& p : op_.parameters) {
      if (p.in != "query" && p.in != "path") continue;
      if (p.in == "query" && p.required) {
        Request r = base_;
        std::erase_if(r.query, [&](const auto& q) { return q.first == p.name; });
        push_negative("query parameter '" + p.name + "' missing", r, std::nullopt);
      }
      for (const auto& bad : {std::string("not-a-number-zz"), std::string("zz-not-in-enum")}) {
        if (!c_.validate_parameter(p, bad).empty()) {
          Request r = base_;
          if (p.in == "query") {
            std::erase_if(r.query, [&](const auto& q) { return q.first == p.name; });
            r.query.emplace_back(p.name, bad);
          } else {
            r.path = replace_path_parameter(p.name, bad);
          }
          push_negative(p.in + " parameter '" + p.name + "' = '" + bad + "' (" +
                            c_.validate_parameter(p, bad)[0].message + ")",
                        r, std::nullopt);
          break;
        }
      }
    }
    if (!media_ || !media_->schema) return;
    // The body: one rule broken at a time, each kept only when the
    // contract itself says it is invalid.
    if (valid_base_) {
      for (auto& m : mutate(c_.documents(), media_->schema, *valid_base_)) {
        if (valid(m.body)) continue;  // not invalid after all: no false alarm
        push_negative("body " + m.what, base_, m.body);
      }
    }
    Case bad_json = make(CaseKind::kNegative, "body is not JSON", base_);
    bad_json.body = "{\"unterminated";
    bad_json.headers.emplace_back("Content-Type", kJson);
    out_.cases.push_back(std::move(bad_json));
    if (valid_base_ && !contract::find_media_type(op_.request_body, "text/plain")) {
      Case wrong_type = make(CaseKind::kNegative, "Content-Type text/plain (undocumented)", base_);
      wrong_type.body = valid_base_->dump(-1, ' ', false, json::error_handler_t::replace);
      wrong_type.headers.emplace_back("Content-Type", "text/plain");
      out_.cases.push_back(std::move(wrong_type));
    }
  }

  std::string replace_path_parameter(const std::string& name, const std::string& value) {
    // The path filled again, with `name` replaced.
    std::string path = op_.path;
    for (const auto& p : op_.parameters) {
      if (p.in != "path") continue;
      const std::string hole = "{" + p.name + "}";
      const auto at = path.find(hole);
      if (at == std::string::npos) continue;
      std::string v = p.name == name ? value : parameter_value(c_, p, o_.seed + fnv1a(p.name), true).value_or("x");
      path.replace(at, hole.size(), percent_encode(v));
    }
    return path;
  }

  void push_negative(const std::string& what, const Request& r, const std::optional<json>& body) {
    Case k = make(CaseKind::kNegative, what, r);
    if (body) {
      with_body(k, *body);
    } else if (valid_base_) {
      with_body(k, *valid_base_);
    } else if (media_ && op_.body_required) {
      return;  // the body is missing too: two rules broken
    }
    out_.cases.push_back(std::move(k));
  }

  /// The case without the probe's credentials, then with a wrong one in
  /// the place the security scheme names: 401 or 403, as documented.
  void auth() {
    if (!valid_base_ && media_ && op_.body_required) return;
    const auto doc = documented(op_);
    std::vector<int> expect;
    for (int s : {401, 403})
      if (doc.count(s)) expect.push_back(s);
    if (expect.empty()) expect = {401, 403};
    auto push = [&](const std::string& what, const WrongCredential& wrong) {
      Request r = base_;
      for (const auto& q : wrong.query) {
        std::erase_if(r.query, [&](const auto& x) { return x.first == q.first; });
        r.query.push_back(q);
      }
      r.headers.insert(r.headers.end(), wrong.headers.begin(), wrong.headers.end());
      Case k = make(CaseKind::kAuth, what, r);
      k.without_credentials = true;
      k.expect = expect;
      if (valid_base_) with_body(k, *valid_base_);
      out_.cases.push_back(std::move(k));
    };
    push("no credentials", {});
    if (const auto wrong = wrong_credential(c_, op_); !wrong.empty())
      push("wrong credential (" + (wrong.headers.empty() ? wrong.query[0].first : wrong.headers[0].first) + ")", wrong);
  }

  const contract::Contract& c_;
  const contract::Operation& op_;
  const CaseOptions& o_;
  CaseSet& out_;
  Request base_;
  const contract::MediaType* media_ = nullptr;
  std::optional<json> valid_base_;
  std::set<std::string> dropped_;  ///< reference properties already noted
  bool noted_reference_ = false;
};

/// Per path, one method it does not document: 405 with an Allow header is due.
void method_cases(const contract::Contract& c, const CaseOptions& o, CaseSet& out) {
  std::map<std::string, std::vector<const contract::Operation*>> by_path;
  for (const auto& op : c.operations()) by_path[op.path].push_back(&op);
  for (const auto& [path, ops] : by_path) {
    if (std::none_of(ops.begin(), ops.end(), [&](const auto* op) { return selected(*op, o); })) continue;
    const std::vector<std::string> candidates =
        o.destructive ? std::vector<std::string>{"PATCH", "PUT", "DELETE", "POST", "GET"} : std::vector<std::string>{"GET"};
    for (const auto& m : candidates) {
      if (std::any_of(ops.begin(), ops.end(), [&](const auto* op) { return op->method == m; })) continue;
      const contract::Operation& op = *ops.front();
      std::string concrete = path;
      for (const auto& p : op.parameters) {
        if (p.in != "path") continue;
        const std::string hole = "{" + p.name + "}";
        if (const auto at = concrete.find(hole); at != std::string::npos)
          concrete.replace(at, hole.size(), percent_encode(parameter_value(c, p, o.seed, true).value_or("x")));
      }
      Case k;
      k.kind = CaseKind::kMethod;
      k.op = &op;
      k.name = m + " " + path + " method: undocumented";
      k.method = m;
      k.path = concrete;
      k.expect = {405};
      k.contract = false;
      out.cases.push_back(std::move(k));
      break;
    }
  }
}

}  // namespace

bool is_reference(const std::string& name) {
  const auto ends = [&](const std::string& tail) {
    return name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  return name == "id" || name == "ID" || ends("_id") || ends("-id") || ends("Id") || ends("ID");
}

const char* kind_name(CaseKind k) {
  switch (k) {
    case CaseKind::kExample: return "example";
    case CaseKind::kPositive: return "positive";
    case CaseKind::kNegative: return "negative";
    case CaseKind::kAuth: return "auth";
    case CaseKind::kMethod: return "method";
    case CaseKind::kChain: return "chain";
  }
  return "?";
}

CaseSet generate_cases(const contract::Contract& c, const CaseOptions& options) {
  CaseSet out;
  // All cases are held until sent: at most max_cases, max_bytes of bodies and paths.
  std::size_t bytes = 0, counted = 0;
  for (const auto& op : c.operations()) {
    if (!selected(op, options)) continue;
    OperationCases(c, op, options, out).run();
    for (; counted < out.cases.size(); ++counted)
      bytes += out.cases[counted].path.size() + (out.cases[counted].body ? out.cases[counted].body->size() : 0);
    if (out.cases.size() > options.max_cases || bytes > options.max_bytes) {
      out.notes.push_back("stopped generating at operation " + (op.id.empty() ? op.path : op.id) + ": more than " +
                          std::to_string(options.max_cases) + " cases or " + std::to_string(options.max_bytes >> 20) +
                          " MiB of bodies (choose fewer operations, or a lower --max-examples)");
      while (out.cases.size() > options.max_cases) out.cases.pop_back();
      break;
    }
  }
  if (wants(options, CaseKind::kMethod)) method_cases(c, options, out);
  // Names are unique: a repeated one gets its position.
  std::map<std::string, int> seen;
  for (auto& k : out.cases)
    if (const int n = seen[k.name]++; n > 0) k.name += " (" + std::to_string(n + 1) + ")";
  if (wants(options, CaseKind::kChain))
    for (auto& k : chain_cases(c, options, out.cases, out.notes)) out.cases.push_back(std::move(k));
  return out;
}

}  // namespace tollgate::probe
