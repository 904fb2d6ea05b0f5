// A step: its request (an operation of the contract, or a method and path),
// {{variables}} split into templates, extracts, polls and callback waits.
#include <functional>
#include <regex>

#include "harness/scenario/loader.h"

namespace tollgate::scenario {

using nlohmann::json;

bool is_variable_name(const std::string& n) {
  static const std::regex re("[A-Za-z_][A-Za-z0-9_]*");
  return std::regex_match(n, re);
}

Step Loader::step(const json& s, const std::string& at, const Plan& plan, std::set<std::string>& vars) const {
  Step out;
  out.where = where(at);
  target(out, s, at, plan);
  const json headers = s.value("headers", json::object());
  for (auto& [k, v] : headers.items()) out.headers.emplace_back(k, v.get<std::string>());
  const json query = s.value("query", json::object());
  for (auto& [k, v] : query.items()) out.query.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  if (s.contains("body")) {
    try {
      out.body = s["body"].dump();
    } catch (const json::type_error&) {  // found by fuzz/scenario_load: it aborted
      fail(at + "/body", "the body holds bytes that are not UTF-8 (a JSON body is sent as UTF-8)");
    }
  }
  out.name = s.value("name", out.operation.empty() ? out.method + " " + out.path : out.operation);
  if (plan.contract) {
    const auto m = plan.contract->match(out.method, out.path.substr(0, out.path.find('?')));
    if (m.kind == contract::Match::Kind::kFound) out.op = m.operation;
  }
  templates(out, s, at, vars);
  if (s.contains("expect")) expect(out, s["expect"], at + "/expect", plan);
  if (s.contains("body") && s["body"].is_object()) {
    const json& b = s["body"];
    // The request body is the user's, any JSON: `stream: "yes"` is sent as
    // written (a test of the target), never read as a boolean (it aborted
    // the loader; found by fuzz/scenario_load).
    const auto is_true = [](const json& o, const char* key) { return o.contains(key) && o[key] == true; };
    out.asks_stream = is_true(b, "stream");
    out.asks_usage = out.asks_stream && b.contains("stream_options") && b["stream_options"].is_object() &&
                     is_true(b["stream_options"], "include_usage");
  }
  if (out.asks_stream && !(s.contains("expect") && s["expect"].contains("stream"))) out.expect.stream = true;
  flow(out, s, at, vars);
  return out;
}

// The method and path: an operation of the contract, or given; {name}
// path parameters filled from path_params.
void Loader::target(Step& out, const json& s, const std::string& at, const Plan& plan) const {
  if (s.contains("operation")) {
    if (!plan.contract) fail(at + "/operation", "naming an operation needs a contract: add 'spec: path/to/openapi.yaml'");
    out.operation = s["operation"].get<std::string>();
    const contract::Operation* op = plan.contract->find(out.operation);
    if (!op) {
      std::string known;
      for (const auto& o : plan.contract->operations()) known += (known.empty() ? "" : ", ") + o.id;
      fail(at + "/operation", "no operation '" + out.operation + "' in " + plan.spec_file + " (it has: " + known + ")");
    }
    out.method = op->method;
    out.path = op->path;
    if (s.contains("method") && s["method"] != out.method)
      fail(at + "/method", "operation " + out.operation + " is " + op->method + ", not " + s["method"].get<std::string>());
    if (s.contains("path")) fail(at + "/path", "give either 'operation' or 'path', not both");
  } else {
    if (!s.contains("path")) fail(at, "a step needs 'operation' (with a spec) or 'method' and 'path'");
    out.method = s.value("method", "GET");
    out.path = s["path"].get<std::string>();
    if (!out.path.starts_with("/")) fail(at + "/path", "a path starts with '/'");
  }
  const json params = s.value("path_params", json::object());
  for (auto& [k, v] : params.items()) {
    const std::string token = "{" + k + "}";
    const auto pos = out.path.find(token);
    if (pos == std::string::npos) fail(at + "/path_params/" + escape_pointer_token(k), "the path has no {" + k + "}");
    out.path.replace(pos, token.size(), v.is_string() ? v.get<std::string>() : v.dump());
  }
  std::string untemplated = out.path;  // {{var}} placeholders are not path parameters
  for (auto open = untemplated.find("{{"); open != std::string::npos; open = untemplated.find("{{")) {
    const auto close = untemplated.find("}}", open);
    untemplated.erase(open, close == std::string::npos ? std::string::npos : close + 2 - open);
  }
  if (const auto open = untemplated.find('{'); open != std::string::npos)
    fail(at, "path parameter " + untemplated.substr(open, untemplated.find('}', open) - open + 1) +
                 " has no value: add it under path_params");
}

void Loader::pointer_at(const std::string& at, const std::string& pointer) const {
  try {
    (void)json::json_pointer(pointer);
  } catch (const std::exception&) {
    fail(at, "'" + pointer + "' is not a JSON Pointer (like /data/taskId)");
  }
}

// A template whose variables are all known by this point of the scenario.
Template Loader::template_at(const std::string& at, const std::string& text, const std::set<std::string>& vars) const {
  Template t = parse_template(text, where(at));
  for (const auto& p : t.parts)
    if (p.var && !vars.count(p.text)) {
      std::string known;
      for (const auto& v : vars) known += (known.empty() ? "" : ", ") + v;
      fail(at, "unknown variable {{" + p.text + "}}: a variable comes from an earlier step's extract, the "
               "scenario's data file, or a built-in (known here: " + known + ")");
    }
  return t;
}

// Splits the request's strings into templates; a step with none keeps its
// request serialized once.
void Loader::templates(Step& out, const json& s, const std::string& at, const std::set<std::string>& vars) const {
  out.path_t = template_at(at + (s.contains("path") ? "/path" : ""), out.path, vars);
  bool any = !out.path_t.is_literal();
  const json headers = s.value("headers", json::object());
  for (auto& [k, v] : headers.items()) {
    out.headers_t.emplace_back(k, template_at(at + "/headers/" + escape_pointer_token(k), v.get<std::string>(), vars));
    any = any || !out.headers_t.back().second.is_literal();
  }
  const json query = s.value("query", json::object());
  for (auto& [k, v] : query.items()) {
    out.query_t.emplace_back(k, template_at(at + "/query/" + escape_pointer_token(k),
                                            v.is_string() ? v.get<std::string>() : v.dump(), vars));
    any = any || !out.query_t.back().second.is_literal();
  }
  if (s.contains("body")) {
    // Each templated string of the body, by its JSON Pointer in the body.
    std::function<void(const json&, const std::string&)> walk = [&](const json& n, const std::string& p) {
      if (n.is_string()) {
        Template t = template_at(at + "/body" + p, n.get<std::string>(), vars);
        if (!t.is_literal()) out.body_templates.emplace_back(p, std::move(t));
      } else if (n.is_object()) {
        for (auto& [k, v] : n.items()) walk(v, p + "/" + escape_pointer_token(k));
      } else if (n.is_array()) {
        for (std::size_t i = 0; i < n.size(); ++i) walk(n[i], p + "/" + std::to_string(i));
      }
    };
    walk(s["body"], "");
    if (!out.body_templates.empty()) out.body_json = s["body"];
    any = any || !out.body_templates.empty();
  }
  out.templated = any;
}

// What the step takes out of its answer, polls for, or waits for.
void Loader::flow(Step& out, const json& s, const std::string& at, std::set<std::string>& vars) const {
  if (s.contains("extract"))
    for (auto& [var, from] : s["extract"].items()) {
      const std::string xat = at + "/extract/" + escape_pointer_token(var);
      if (!is_variable_name(var)) fail_key(xat, "'" + var + "' is not a variable name (letters, digits and _)");
      Extract e{var, "", ""};
      if (from.contains("body")) {
        e.pointer = from["body"].get<std::string>();
        pointer_at(xat + "/body", e.pointer);
      } else {
        e.header = from["header"].get<std::string>();
      }
      out.extract.push_back(std::move(e));
      vars.insert(var);
    }
  if (s.contains("poll")) {
    const json& p = s["poll"];
    const std::string pat = at + "/poll";
    Poll poll;
    poll.pointer = p["until"]["pointer"].get<std::string>();
    pointer_at(pat + "/until/pointer", poll.pointer);
    if (p["until"].contains("in"))
      for (const auto& v : p["until"]["in"]) poll.values.push_back(v);
    if (p["until"].contains("equals")) poll.values.push_back(p["until"]["equals"]);
    if (poll.values.empty()) fail(pat + "/until", "poll.until needs 'in: [values]' or 'equals: value'");
    if (p.contains("initial_delay")) poll.initial_delay = duration_at(pat + "/initial_delay", p["initial_delay"]);
    if (p.contains("interval")) poll.interval = duration_at(pat + "/interval", p["interval"]);
    if (p.contains("timeout")) poll.timeout = duration_at(pat + "/timeout", p["timeout"]);
    if (poll.interval.count() <= 0) fail(pat + "/interval", "the poll interval must be above zero");
    out.poll = std::move(poll);
  }
  if (s.contains("callback")) {
    const json& c = s["callback"];
    const std::string cat = at + "/callback";
    CallbackWait cb;
    cb.pointer = c["correlate"].get<std::string>();
    pointer_at(cat + "/correlate", cb.pointer);
    cb.value = template_at(cat + "/equals", c["equals"].get<std::string>(), vars);
    if (c.contains("timeout")) cb.timeout = duration_at(cat + "/timeout", c["timeout"]);
    if (out.op && !out.op->callbacks.empty()) cb.contract = &out.op->callbacks.front();
    out.callback = std::move(cb);
  }
}

}  // namespace tollgate::scenario
