#include <algorithm>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include <openssl/sha.h>

#include "common/yaml_json.h"
#include "contract/schema_validator.h"
#include "harness/flow/builtins.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/units.h"

extern char** environ;

namespace tollgate::scenario {
namespace {

using nlohmann::json;

// The scenario format, version 1. Unknown keys are errors everywhere.
constexpr const char* kSchema = R"(
Plan:
  type: object
  additionalProperties: false
  required: [version, target, scenarios]
  properties:
    version: {type: integer, enum: [1]}
    target: {type: string, minLength: 1}
    spec: {type: string}
    defaults:
      type: object
      additionalProperties: false
      properties:
        headers: {type: object, additionalProperties: {type: string}}
        timeouts:
          type: object
          additionalProperties: false
          properties:
            connect: {$ref: '#/Duration'}
            tls: {$ref: '#/Duration'}
            write: {$ref: '#/Duration'}
            first_byte: {$ref: '#/Duration'}
            total: {$ref: '#/Duration'}
        tls:
          type: object
          additionalProperties: false
          properties:
            ca_file: {type: string}
            insecure: {type: boolean}
            server_name: {type: string}
        max_body: {type: integer, minimum: 1}
    scenarios:
      type: object
      minProperties: 1
      additionalProperties: {$ref: '#/Scenario'}
    thresholds: {type: array, items: {type: string}}
    callback:
      type: object
      additionalProperties: false
      properties:
        listen: {type: string}
        public_url: {type: string}
Scenario:
  type: object
  additionalProperties: false
  required: [executor, steps]
  properties:
    spec: {type: string}
    executor: {type: string, enum: [constant-arrival-rate, ramping-arrival-rate, constant-vus, ramping-vus, iterations]}
    rate: {$ref: '#/Number'}
    start_rate: {$ref: '#/Number'}
    vus: {type: integer, minimum: 1}
    start_vus: {type: integer, minimum: 0}
    stages:
      type: array
      minItems: 1
      items:
        type: object
        additionalProperties: false
        required: [duration, target]
        properties:
          duration: {$ref: '#/Duration'}
          target: {$ref: '#/Number'}
    arrivals: {type: string, enum: [uniform, poisson]}
    duration: {$ref: '#/Duration'}
    iterations: {type: integer, minimum: 1}
    think_time: {$ref: '#/Duration'}
    max_in_flight: {type: integer, minimum: 1}
    connections: {type: integer, minimum: 1}
    graceful_stop: {$ref: '#/Duration'}
    steps: {type: array, minItems: 1, items: {$ref: '#/Step'}}
    data:
      type: object
      additionalProperties: false
      required: [file]
      properties:
        file: {type: string}
        order: {type: string, enum: [sequential, random]}
Step:
  type: object
  additionalProperties: false
  properties:
    name: {type: string}
    operation: {type: string}
    method: {type: string, enum: [GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS]}
    path: {type: string}
    path_params: {type: object, additionalProperties: {$ref: '#/Scalar'}}
    headers: {type: object, additionalProperties: {type: string}}
    query: {type: object, additionalProperties: {$ref: '#/Scalar'}}
    body: {}
    expect:
      type: object
      additionalProperties: false
      properties:
        status:
          oneOf:
            - {type: integer, minimum: 100, maximum: 599}
            - {type: array, minItems: 1, items: {type: integer, minimum: 100, maximum: 599}}
        headers:
          type: object
          additionalProperties:
            oneOf:
              - {type: string}
              - type: object
                additionalProperties: false
                minProperties: 1
                maxProperties: 1
                properties:
                  present: {type: boolean}
                  equals: {type: string}
                  matches: {type: string}
        body:
          type: object
          additionalProperties: {}
        max_time: {$ref: '#/Duration'}
        contract: {type: boolean}
        stream: {type: boolean}
    extract:
      type: object
      additionalProperties:
        type: object
        additionalProperties: false
        minProperties: 1
        maxProperties: 1
        properties:
          body: {type: string}
          header: {type: string}
    poll:
      type: object
      additionalProperties: false
      required: [until]
      properties:
        until:
          type: object
          additionalProperties: false
          required: [pointer]
          properties:
            pointer: {type: string}
            in: {type: array, minItems: 1}
            equals: {}
        initial_delay: {$ref: '#/Duration'}
        interval: {$ref: '#/Duration'}
        timeout: {$ref: '#/Duration'}
    callback:
      type: object
      additionalProperties: false
      required: [correlate, equals]
      properties:
        correlate: {type: string}
        equals: {type: string}
        timeout: {$ref: '#/Duration'}
Number:
  oneOf: [{type: string}, {type: number}]
Duration:
  oneOf: [{type: string}, {type: number}]
Scalar:
  oneOf: [{type: string}, {type: number}, {type: boolean}]
)";

class Loader {
 public:
  Loader(const std::string& name, const YamlDocument& doc, const Env& env, std::string base_dir)
      : name_(name), doc_(doc), env_(env), base_dir_(std::move(base_dir)) {}

  Plan run(json root) {
    substitute(root, "");
    validate(root);
    Plan plan;
    plan.file = name_;
    std::string error;
    auto target = parse_url(root["target"].get<std::string>(), error);
    if (!target) fail("/target", error);
    plan.target = *target;
    if (root.contains("spec")) std::tie(plan.spec_file, plan.contract) = load_contract(root["spec"], "/spec");
    const json defaults = root.value("defaults", json::object());
    const json headers = defaults.value("headers", json::object());
    for (auto& [k, v] : headers.items()) plan.headers.emplace_back(k, v.get<std::string>());
    if (defaults.contains("timeouts")) {
      const json& t = defaults["timeouts"];
      auto d = [&](const char* key, nanoseconds& out) {
        if (t.contains(key)) out = duration_at("/defaults/timeouts/" + std::string(key), t[key]);
      };
      d("connect", plan.timeouts.connect);
      d("tls", plan.timeouts.tls);
      d("write", plan.timeouts.write);
      d("first_byte", plan.timeouts.first_byte);
      d("total", plan.timeouts.total);
    }
    if (defaults.contains("tls")) {
      const json& t = defaults["tls"];
      plan.tls.ca_file = t.value("ca_file", "");
      if (!plan.tls.ca_file.empty() && std::filesystem::path(plan.tls.ca_file).is_relative())
        plan.tls.ca_file = (std::filesystem::path(base_dir_) / plan.tls.ca_file).string();
      if (!plan.tls.ca_file.empty() && !std::filesystem::exists(plan.tls.ca_file))
        fail("/defaults/tls/ca_file", "no such file '" + plan.tls.ca_file + "'");
      plan.tls.insecure = t.value("insecure", false);
      plan.tls.server_name = t.value("server_name", "");
    }
    plan.max_body = defaults.value("max_body", plan.max_body);
    for (auto& [name, s] : root["scenarios"].items())
      plan.scenarios.push_back(scenario(name, s, "/scenarios/" + escape_pointer_token(name), plan));
    // JSON objects are sorted by key; run and report in the file's order.
    std::stable_sort(plan.scenarios.begin(), plan.scenarios.end(),
                     [](const Scenario& a, const Scenario& b) { return a.where.line < b.where.line; });
    if (root.contains("callback")) {
      plan.callback_listen = root["callback"].value("listen", plan.callback_listen);
      plan.callback_public_url = root["callback"].value("public_url", "");
    }
    for (const auto& sc : plan.scenarios)
      for (const auto& st : sc.steps) {
        bool uses = st.callback.has_value();
        auto scan = [&](const Template& t) {
          for (const auto& p : t.parts) uses = uses || (p.var && p.text == "callback_url");
        };
        scan(st.path_t);
        for (const auto& h : st.headers_t) scan(h.second);
        for (const auto& q : st.query_t) scan(q.second);
        if (st.body && st.body->find("{{callback_url}}") != std::string::npos) uses = true;
        plan.uses_callbacks = plan.uses_callbacks || uses;
      }
    if (root.contains("thresholds")) {
      for (std::size_t i = 0; i < root["thresholds"].size(); ++i) {
        const std::string at = "/thresholds/" + std::to_string(i);
        Threshold t = parse_threshold(root["thresholds"][i].get<std::string>(), where(at));
        check_scope(t, plan, at);
        plan.thresholds.push_back(std::move(t));
      }
    }
    return plan;
  }

 private:
  SourceLocation where(const std::string& pointer) const { return doc_.sources.locate(name_, pointer); }
  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const {
    throw SourceError(where(pointer), message);
  }

  // ${NAME} and ${NAME:-default} in every string value.
  void substitute(json& node, const std::string& pointer) {
    if (node.is_object()) {
      for (auto& [k, v] : node.items()) substitute(v, pointer + "/" + escape_pointer_token(k));
    } else if (node.is_array()) {
      for (std::size_t i = 0; i < node.size(); ++i) substitute(node[i], pointer + "/" + std::to_string(i));
    } else if (node.is_string()) {
      static const std::regex var(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\})");
      const std::string text = node.get<std::string>();
      if (text.find("${") == std::string::npos) return;
      std::string out;
      std::size_t last = 0;
      for (std::sregex_iterator it(text.begin(), text.end(), var), end; it != end; ++it) {
        const auto& m = *it;
        out += text.substr(last, static_cast<std::size_t>(m.position()) - last);
        auto value = env_.find(m[1].str());
        if (value != env_.end() && !value->second.empty())
          out += value->second;
        else if (m[2].matched)
          out += m[3].str();
        else
          fail(pointer, "environment variable " + m[1].str() + " is not set (give it with --env " + m[1].str() +
                            "=VALUE, or write ${" + m[1].str() + ":-default})");
        last = static_cast<std::size_t>(m.position() + m.length());
      }
      out += text.substr(last);
      node = out;
    }
  }

  void validate(const json& root) const {
    static const contract::DocumentSet schema = contract::DocumentSet::parse(kSchema, "scenario-schema");
    static const contract::SchemaValidator validator(schema);
    std::vector<contract::Violation> found;
    if (validator.validate(schema.root_ref().child("Plan"), root, contract::Direction::kRequest, found)) return;
    // An unknown key (a typo) usually explains the rest: report it first.
    std::stable_partition(found.begin(), found.end(), [](const contract::Violation& v) {
      return v.schema_pointer.ends_with("/additionalProperties");
    });
    const auto& v = found.front();
    if (!v.schema_pointer.ends_with("/additionalProperties")) fail(v.instance_pointer, v.message);
    // Name the unknown key where it is written, and the keys that would do.
    const std::string key = v.instance_pointer.substr(v.instance_pointer.rfind('/') + 1);
    std::string parent = v.schema_pointer.substr(v.schema_pointer.find('#') + 1);
    parent.resize(parent.size() - std::string("/additionalProperties").size());
    std::string known;
    if (const contract::NodeRef p = schema.resolve(schema.root(), "#" + parent).child("properties"))
      for (auto it = p.node->begin(); it != p.node->end(); ++it) known += (known.empty() ? "" : ", ") + it.key();
    throw SourceError(doc_.sources.locate_key(name_, v.instance_pointer),
                      "unknown key '" + key + "'" + (known.empty() ? "" : "; expected one of: " + known));
  }

  nanoseconds duration_at(const std::string& pointer, const json& value) const {
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    const auto d = parse_duration(text);
    if (!d || d->count() < 0)
      fail(pointer, "'" + text + "' is not a duration: expected a number and a unit, like 500ms, 30s or 2m");
    return *d;
  }

  double rate_at(const std::string& pointer, const json& value) const {
    if (value.is_number()) return value.get<double>();
    const auto r = parse_rate(value.get<std::string>());
    if (!r || *r < 0) fail(pointer, "'" + value.get<std::string>() + "' is not a rate: expected like 200/s, 10000/min or 5/h");
    return *r;
  }

  std::pair<std::string, std::shared_ptr<const contract::Contract>> load_contract(const json& value,
                                                                                 const std::string& at) const {
    std::filesystem::path spec = value.get<std::string>();
    if (spec.is_relative()) spec = std::filesystem::path(base_dir_) / spec;
    const std::string file = spec.lexically_normal().string();
    if (auto it = contracts_.find(file); it != contracts_.end()) return {file, it->second};
    try {
      auto c = contract::Contract::load(file);
      contracts_[file] = c;
      return {file, c};
    } catch (const SourceError& e) {
      fail(at, std::string("cannot use the contract: ") + e.what());
    }
  }

  Scenario scenario(const std::string& name, const json& s, const std::string& at, const Plan& plan_in) const {
    Scenario out;
    out.name = name;
    out.where = where(at);
    out.contract = plan_in.contract;
    out.spec_file = plan_in.spec_file;
    if (s.contains("spec")) std::tie(out.spec_file, out.contract) = load_contract(s["spec"], at + "/spec");
    // Steps see the scenario's contract as "the plan's".
    Plan plan;
    plan.contract = out.contract;
    plan.spec_file = out.spec_file;
    static const std::map<std::string, Executor> kExecutors = {
        {"constant-arrival-rate", Executor::kConstantArrivalRate}, {"ramping-arrival-rate", Executor::kRampingArrivalRate},
        {"constant-vus", Executor::kConstantVus}, {"ramping-vus", Executor::kRampingVus}, {"iterations", Executor::kIterations}};
    out.executor = kExecutors.at(s["executor"].get<std::string>());
    const std::string exec = s["executor"].get<std::string>();
    auto need = [&](const char* key, const std::string& why) {
      if (!s.contains(key)) fail(at, exec + " needs '" + key + "' (" + why + ")");
    };
    auto forbid = [&](const char* key) {
      if (s.contains(key)) fail(at + "/" + key, "'" + std::string(key) + "' does not apply to " + exec);
    };
    if (s.contains("duration")) out.duration = duration_at(at + "/duration", s["duration"]);
    if (s.contains("iterations")) out.iterations = s["iterations"].get<std::int64_t>();
    if (s.contains("think_time")) out.think_time = duration_at(at + "/think_time", s["think_time"]);
    if (s.contains("graceful_stop")) out.graceful_stop = duration_at(at + "/graceful_stop", s["graceful_stop"]);
    out.max_in_flight = s.value("max_in_flight", 0);
    out.connections = s.value("connections", 0);
    out.poisson = s.value("arrivals", "uniform") == "poisson";
    if (s.contains("stages"))
      for (std::size_t i = 0; i < s["stages"].size(); ++i) {
        const std::string sp = at + "/stages/" + std::to_string(i);
        const json& st = s["stages"][i];
        const double target = out.executor == Executor::kRampingVus
                                  ? (st["target"].is_number() ? st["target"].get<double>() : -1)
                                  : rate_at(sp + "/target", st["target"]);
        if (target < 0) fail(sp + "/target", "a ramping-vus target is a number of VUs");
        out.stages.push_back({duration_at(sp + "/duration", st["duration"]), target});
      }
    switch (out.executor) {
      case Executor::kConstantArrivalRate:
        need("rate", "requests per second, like 200/s");
        need("duration", "how long to send, like 30s");
        forbid("stages");
        forbid("vus");
        out.rate = rate_at(at + "/rate", s["rate"]);
        if (out.rate <= 0) fail(at + "/rate", "the rate must be above zero");
        break;
      case Executor::kRampingArrivalRate:
        need("stages", "[{duration, target rate}]");
        forbid("rate");
        forbid("duration");
        forbid("vus");
        out.start_rate = s.contains("start_rate") ? rate_at(at + "/start_rate", s["start_rate"]) : 0;
        break;
      case Executor::kConstantVus:
        need("vus", "how many virtual users");
        need("duration", "how long they loop, like 30s");
        forbid("rate");
        forbid("stages");
        out.vus = s["vus"];
        break;
      case Executor::kRampingVus:
        need("stages", "[{duration, target VUs}]");
        forbid("rate");
        forbid("duration");
        out.vus = s.value("start_vus", 0);
        break;
      case Executor::kIterations:
        need("iterations", "how many iterations in all");
        forbid("rate");
        forbid("stages");
        out.vus = s.value("vus", 1);
        break;
    }
    if (!is_open_model(out.executor)) {
      forbid("max_in_flight");
      forbid("arrivals");
    }
    std::set<std::string> vars(flow::kBuiltinVariables.begin(), flow::kBuiltinVariables.end());
    if (s.contains("data")) {
      out.data = load_data(s["data"], at + "/data");
      for (const auto& c : out.data->columns) vars.insert(c);
    }
    for (std::size_t i = 0; i < s["steps"].size(); ++i)
      out.steps.push_back(step(s["steps"][i], at + "/steps/" + std::to_string(i), plan, vars));
    return out;
  }

  Step step(const json& s, const std::string& at, const Plan& plan, std::set<std::string>& vars) const {
    Step out;
    out.where = where(at);
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
    // Fill {name} from path_params.
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
    const json headers = s.value("headers", json::object());
    for (auto& [k, v] : headers.items()) out.headers.emplace_back(k, v.get<std::string>());
    const json query = s.value("query", json::object());
    for (auto& [k, v] : query.items()) out.query.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    if (s.contains("body")) out.body = s["body"].dump();
    out.name = s.value("name", out.operation.empty() ? out.method + " " + out.path : out.operation);
    if (plan.contract) {
      const auto m = plan.contract->match(out.method, out.path.substr(0, out.path.find('?')));
      if (m.kind == contract::Match::Kind::kFound) out.op = m.operation;
    }
    templates(out, s, at, vars);
    if (s.contains("expect")) expect(out, s["expect"], at + "/expect", plan);
    if (s.contains("body") && s["body"].is_object()) {
      const json& b = s["body"];
      out.asks_stream = b.value("stream", false) == true;
      out.asks_usage = out.asks_stream && b.contains("stream_options") && b["stream_options"].is_object() &&
                       b["stream_options"].value("include_usage", false) == true;
    }
    if (out.asks_stream && !(s.contains("expect") && s["expect"].contains("stream"))) out.expect.stream = true;
    if (s.contains("extract"))
      for (auto& [var, from] : s["extract"].items()) {
        const std::string xat = at + "/extract/" + escape_pointer_token(var);
        if (!is_name(var)) fail_key(xat, "'" + var + "' is not a variable name (letters, digits and _)");
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
    return out;
  }

  static bool is_name(const std::string& n) {
    static const std::regex re("[A-Za-z_][A-Za-z0-9_]*");
    return std::regex_match(n, re);
  }

  void pointer_at(const std::string& at, const std::string& pointer) const {
    try {
      (void)json::json_pointer(pointer);
    } catch (const std::exception&) {
      fail(at, "'" + pointer + "' is not a JSON Pointer (like /data/taskId)");
    }
  }

  [[noreturn]] void fail_key(const std::string& pointer, const std::string& message) const {
    throw SourceError(doc_.sources.locate_key(name_, pointer), message);
  }

  // A template whose variables are all known by this point of the scenario.
  Template template_at(const std::string& at, const std::string& text, const std::set<std::string>& vars) const {
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

  // Splits the request's strings into templates; a step with none keeps
  // its request serialized once.
  void templates(Step& out, const json& s, const std::string& at, const std::set<std::string>& vars) const {
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

  void expect(Step& out, const json& e, const std::string& at, const Plan& plan) const {
    Expect& x = out.expect;
    if (e.contains("status")) {
      const json& st = e["status"];
      if (st.is_array())
        for (const auto& c : st) x.status.push_back(c.get<int>());
      else
        x.status.push_back(st.get<int>());
    }
    if (e.contains("headers"))
      for (auto& [name, v] : e["headers"].items()) {
        HeaderCheck h;
        h.name = name;
        if (v.is_string()) {
          h.kind = HeaderCheck::Kind::kEquals;
          h.value = v.get<std::string>();
        } else if (v.contains("present")) {
          h.kind = v["present"].get<bool>() ? HeaderCheck::Kind::kPresent : HeaderCheck::Kind::kAbsent;
        } else if (v.contains("equals")) {
          h.kind = HeaderCheck::Kind::kEquals;
          h.value = v["equals"].get<std::string>();
        } else {
          h.kind = HeaderCheck::Kind::kMatches;
          h.value = v["matches"].get<std::string>();
          regex_at(at + "/headers/" + escape_pointer_token(name) + "/matches", h.value);
        }
        x.headers.push_back(std::move(h));
      }
    if (e.contains("body"))
      for (auto& [pointer, v] : e["body"].items()) {
        const std::string bat = at + "/body/" + escape_pointer_token(pointer);
        if (!pointer.empty()) pointer_at(bat, pointer);
        static const std::set<std::string> kKinds = {"equals", "matches", "type", "length", "one_of", "exists"};
        bool structured = v.is_object() && !v.empty();
        if (structured)
          for (auto& [k, _] : v.items())
            if (!kKinds.count(k)) structured = false;
        if (!structured) {
          if (v.is_object() && !v.empty())
            fail(bat, "a body check is a value to equal, or one of: equals, matches, type, length, one_of, exists");
          BodyCheck b;
          b.pointer = pointer;
          b.kind = BodyCheck::Kind::kEquals;
          b.value = v;
          x.body.push_back(std::move(b));
          continue;
        }
        for (auto& [k, arg] : v.items()) {
          BodyCheck b;
          b.pointer = pointer;
          const std::string kat = bat + "/" + k;
          if (k == "equals") {
            b.kind = BodyCheck::Kind::kEquals;
            b.value = arg;
          } else if (k == "matches") {
            if (!arg.is_string()) fail(kat, "matches takes a regular expression string");
            b.kind = BodyCheck::Kind::kMatches;
            b.value = arg;
            regex_at(kat, arg.get<std::string>());
          } else if (k == "type") {
            static const std::set<std::string> kTypes = {"string", "number", "integer", "boolean", "array", "object", "null"};
            if (!arg.is_string() || !kTypes.count(arg.get<std::string>()))
              fail(kat, "type is one of string, number, integer, boolean, array, object, null");
            b.kind = BodyCheck::Kind::kType;
            b.value = arg;
          } else if (k == "length") {
            b.kind = BodyCheck::Kind::kLength;
            if (arg.is_number_integer() && arg.get<std::int64_t>() >= 0) {
              b.min = b.max = arg.get<std::int64_t>();
            } else if (arg.is_object() && !arg.empty()) {
              for (auto& [lk, lv] : arg.items()) {
                if ((lk != "min" && lk != "max") || !lv.is_number_integer() || lv.get<std::int64_t>() < 0)
                  fail(kat, "length is a count, or {min: N, max: N}");
              }
              b.min = arg.value("min", std::int64_t{0});
              b.max = arg.value("max", std::int64_t{-1});
            } else {
              fail(kat, "length is a count, or {min: N, max: N}");
            }
          } else if (k == "one_of") {
            if (!arg.is_array() || arg.empty()) fail(kat, "one_of takes a list of values");
            b.kind = BodyCheck::Kind::kOneOf;
            b.value = arg;
          } else {
            if (!arg.is_boolean()) fail(kat, "exists takes true or false");
            b.kind = arg.get<bool>() ? BodyCheck::Kind::kExists : BodyCheck::Kind::kAbsent;
          }
          x.body.push_back(std::move(b));
        }
      }
    if (e.contains("max_time")) x.max_time = duration_at(at + "/max_time", e["max_time"]);
    x.contract = e.value("contract", false);
    if (x.contract && !plan.contract) fail(at + "/contract", "contract: true needs a contract: add 'spec: path/to/openapi.yaml'");
    if (x.contract && !out.op)
      fail(at + "/contract", out.method + " " + out.path + " is not an operation of " + plan.spec_file);
    x.stream = e.value("stream", false);
  }

  void regex_at(const std::string& at, const std::string& re) const {
    try {
      std::regex r(re);
    } catch (const std::regex_error& e) {
      fail(at, "'" + re + "' is not a regular expression: " + e.what());
    }
  }

  // CSV (a header row names the columns; RFC 4180 quoting) or JSON Lines
  // (one object per line; its keys are the columns).
  DataSource load_data(const json& d, const std::string& at) const {
    DataSource out;
    std::filesystem::path file = d["file"].get<std::string>();
    if (file.is_relative()) file = std::filesystem::path(base_dir_) / file;
    out.file = file.lexically_normal().string();
    out.random = d.value("order", "sequential") == "random";
    std::string text;
    try {
      text = read_text_file(out.file);
    } catch (const std::exception& e) {
      fail(at + "/file", e.what());
    }
    const bool jsonl = out.file.ends_with(".jsonl") || out.file.ends_with(".ndjson");
    std::size_t line_no = 0;
    if (jsonl) {
      std::istringstream in(text);
      std::string line;
      while (std::getline(in, line)) {
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const json row = json::parse(line, nullptr, false);
        if (!row.is_object())
          throw SourceError({out.file, static_cast<int>(line_no), 1}, "a JSON Lines row is one JSON object per line");
        if (out.columns.empty())
          for (auto& [k, _] : row.items()) out.columns.push_back(k);
        std::vector<json> values;
        for (const auto& c : out.columns) {
          if (!row.contains(c))
            throw SourceError({out.file, static_cast<int>(line_no), 1}, "the row has no '" + c + "' (the first row has it)");
          values.push_back(row[c]);
        }
        out.rows.push_back(std::move(values));
      }
    } else {
      auto rows = parse_csv(text, out.file);
      if (rows.empty()) fail(at + "/file", out.file + " has no header row");
      for (const auto& c : rows.front()) out.columns.push_back(c);
      for (std::size_t r = 1; r < rows.size(); ++r) {
        if (rows[r].size() == 1 && rows[r][0].empty()) continue;
        if (rows[r].size() != out.columns.size())
          throw SourceError({out.file, static_cast<int>(r + 1), 1},
                            "row has " + std::to_string(rows[r].size()) + " fields, the header " +
                                std::to_string(out.columns.size()));
        std::vector<json> values(rows[r].begin(), rows[r].end());
        out.rows.push_back(std::move(values));
      }
    }
    for (const auto& c : out.columns)
      if (!is_name(c)) fail(at + "/file", out.file + ": column '" + c + "' is not a variable name (letters, digits and _)");
    if (out.rows.empty()) fail(at + "/file", out.file + " has no data rows");
    return out;
  }

  static std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& file) {
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false, was_quoted = false;
    int line = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == ',') {
        rows.back().push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        rows.back().push_back(std::move(field));
        field.clear();
        was_quoted = false;
        rows.emplace_back();
        ++line;
      } else {
        field += c;
      }
    }
    if (quoted) throw SourceError({file, line, 1}, "a quoted field is not closed");
    if (!field.empty() || !rows.back().empty() || was_quoted) rows.back().push_back(std::move(field));
    if (rows.back().empty()) rows.pop_back();
    return rows;
  }

  void check_scope(const Threshold& t, const Plan& plan, const std::string& at) const {
    if (t.scope.empty()) return;
    const auto dot = t.scope.find('.');
    const std::string scenario = t.scope.substr(0, dot);
    for (const auto& s : plan.scenarios) {
      if (s.name != scenario) continue;
      if (dot == std::string::npos) return;
      const std::string step = t.scope.substr(dot + 1);
      for (const auto& st : s.steps)
        if (st.name == step) return;
      fail(at, "scenario '" + scenario + "' has no step '" + step + "'");
    }
    fail(at, "no scenario '" + scenario + "' to apply the threshold to");
  }

  const std::string& name_;
  const YamlDocument& doc_;
  const Env& env_;
  std::string base_dir_;
  mutable std::map<std::string, std::shared_ptr<const contract::Contract>> contracts_;
};

}  // namespace

Env process_env(const std::vector<std::string>& overrides) {
  Env env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& kv : overrides) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw SourceError({"--env", 0, 0}, "'" + kv + "' is not NAME=VALUE");
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Plan parse_plan(const std::string& text, const std::string& name, const Env& env, const std::string& base_dir) {
  const YamlDocument doc = parse_yaml(text, name);
  Plan plan = Loader(name, doc, env, base_dir).run(doc.value);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char* kHex = "0123456789abcdef";
  for (unsigned char b : digest) {
    plan.text_hash += kHex[b >> 4];
    plan.text_hash += kHex[b & 15];
  }
  return plan;
}

Plan load_plan(const std::string& path, const Env& env) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_plan(read_text_file(path), path, env, dir.empty() ? "." : dir);
}

}  // namespace tollgate::scenario
