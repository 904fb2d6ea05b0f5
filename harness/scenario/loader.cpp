#include <algorithm>
#include <filesystem>
#include <regex>

#include <openssl/sha.h>

#include "common/yaml_json.h"
#include "contract/schema_validator.h"
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
Scenario:
  type: object
  additionalProperties: false
  required: [executor, steps]
  properties:
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
    if (root.contains("spec")) {
      std::filesystem::path spec = root["spec"].get<std::string>();
      if (spec.is_relative()) spec = std::filesystem::path(base_dir_) / spec;
      plan.spec_file = spec.lexically_normal().string();
      try {
        plan.contract = contract::Contract::load(plan.spec_file);
      } catch (const SourceError& e) {
        fail("/spec", std::string("cannot use the contract: ") + e.what());
      }
    }
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

  Scenario scenario(const std::string& name, const json& s, const std::string& at, const Plan& plan) const {
    Scenario out;
    out.name = name;
    out.where = where(at);
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
    for (std::size_t i = 0; i < s["steps"].size(); ++i)
      out.steps.push_back(step(s["steps"][i], at + "/steps/" + std::to_string(i), plan));
    return out;
  }

  Step step(const json& s, const std::string& at, const Plan& plan) const {
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
    if (const auto open = out.path.find('{'); open != std::string::npos)
      fail(at, "path parameter " + out.path.substr(open, out.path.find('}', open) - open + 1) +
                   " has no value: add it under path_params");
    const json headers = s.value("headers", json::object());
    for (auto& [k, v] : headers.items()) out.headers.emplace_back(k, v.get<std::string>());
    const json query = s.value("query", json::object());
    for (auto& [k, v] : query.items()) out.query.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    if (s.contains("body")) out.body = s["body"].dump();
    if (s.contains("expect") && s["expect"].contains("status")) {
      const json& st = s["expect"]["status"];
      if (st.is_array())
        for (const auto& c : st) out.expect_status.push_back(c.get<int>());
      else
        out.expect_status.push_back(st.get<int>());
    }
    out.name = s.value("name", out.operation.empty() ? out.method + " " + out.path : out.operation);
    return out;
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
