// The plan: ${ENV} substitution, the schema, the target, defaults, the
// callback receiver, thresholds; and the entry points.
#include <algorithm>
#include <filesystem>
#include <regex>

#include <openssl/sha.h>

#include "contract/schema_validator.h"
#include "harness/scenario/loader.h"
#include "harness/scenario/units.h"

extern char** environ;

namespace tollgate::scenario {

using nlohmann::json;

namespace {

// Whether a step waits for a callback or hands out {{callback_url}}: the
// run then needs its callback receiver.
bool uses_callback_url(const Step& st) {
  bool uses = st.callback.has_value();
  auto scan = [&](const Template& t) {
    for (const auto& p : t.parts) uses = uses || (p.var && p.text == "callback_url");
  };
  scan(st.path_t);
  for (const auto& h : st.headers_t) scan(h.second);
  for (const auto& q : st.query_t) scan(q.second);
  return uses || (st.body && st.body->find("{{callback_url}}") != std::string::npos);
}

}  // namespace

void Loader::fail(const std::string& pointer, const std::string& message) const {
  throw SourceError(where(pointer), message);
}

void Loader::fail_key(const std::string& pointer, const std::string& message) const {
  throw SourceError(doc_.sources.locate_key(name_, pointer), message);
}

Plan Loader::run(json root) {
  substitute(root, "");
  validate(root);
  Plan plan;
  plan.file = name_;
  std::string error;
  auto target = parse_url(root["target"].get<std::string>(), error);
  if (!target) fail("/target", error);
  plan.target = *target;
  if (root.contains("spec")) std::tie(plan.spec_file, plan.contract) = load_contract(root["spec"], "/spec");
  defaults(root, plan);
  for (auto& [name, s] : root["scenarios"].items())
    plan.scenarios.push_back(scenario(name, s, "/scenarios/" + escape_pointer_token(name), plan));
  // JSON objects are sorted by key; run and report in the file's order.
  std::stable_sort(plan.scenarios.begin(), plan.scenarios.end(),
                   [](const Scenario& a, const Scenario& b) { return a.where.line < b.where.line; });
  // A search or sweep runs its steps one after the other, each alone.
  for (const auto& sc : plan.scenarios)
    if (sc.series && plan.scenarios.size() > 1)
      fail("/scenarios/" + escape_pointer_token(sc.name) + "/executor",
           "a capacity-search or sweep scenario runs alone: put the other scenarios in a file of their own");
  for (const auto& sc : plan.scenarios)
    if (sc.series)
      for (std::size_t i = 0; i < sc.series->slo.size(); ++i)
        check_scope(sc.series->slo[i], plan, "/scenarios/" + escape_pointer_token(sc.name) + "/slo/" + std::to_string(i));
  if (root.contains("callback")) {
    plan.callback_listen = root["callback"].value("listen", plan.callback_listen);
    plan.callback_public_url = root["callback"].value("public_url", "");
  }
  for (const auto& sc : plan.scenarios)
    for (const auto& st : sc.steps) plan.uses_callbacks = plan.uses_callbacks || uses_callback_url(st);
  if (root.contains("thresholds")) {
    for (std::size_t i = 0; i < root["thresholds"].size(); ++i) {
      const std::string at = "/thresholds/" + std::to_string(i);
      Threshold t = parse_threshold(root["thresholds"][i].get<std::string>(), where(at));
      check_scope(t, plan, at);
      if (!t.scope.empty() && plan.scenarios.size() == 1 && plan.scenarios[0].series)
        fail(at, "the thresholds of a capacity-search or sweep file judge all its steps together, unscoped; judge each "
                 "step with the scenario's slo: list");
      plan.thresholds.push_back(std::move(t));
    }
  }
  return plan;
}

// Headers, timeouts, TLS and the body limit every step starts from.
void Loader::defaults(const json& root, Plan& plan) const {
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
  plan.max_event = defaults.value("max_event", plan.max_event);
}

// ${NAME} and ${NAME:-default} in every string value.
void Loader::substitute(json& node, const std::string& pointer) {
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

void Loader::validate(const json& root) const {
  static const contract::DocumentSet schema = contract::DocumentSet::parse(kScenarioSchema, "scenario.schema.yaml");
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
  fail_key(v.instance_pointer, "unknown key '" + key + "'" + (known.empty() ? "" : "; expected one of: " + known));
}

nanoseconds Loader::duration_at(const std::string& pointer, const json& value) const {
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  const auto d = parse_duration(text);
  if (!d || d->count() < 0)
    fail(pointer, "'" + text + "' is not a duration: expected a number and a unit, like 500ms, 30s or 2m");
  return *d;
}

double Loader::rate_at(const std::string& pointer, const json& value) const {
  if (value.is_number()) return value.get<double>();
  const auto r = parse_rate(value.get<std::string>());
  if (!r || *r < 0) fail(pointer, "'" + value.get<std::string>() + "' is not a rate: expected like 200/s, 10000/min or 5/h");
  return *r;
}

std::pair<std::string, std::shared_ptr<const contract::Contract>> Loader::load_contract(const json& value,
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

void Loader::check_scope(const Threshold& t, const Plan& plan, const std::string& at) const {
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
  Plan plan;
  try {
    plan = Loader(name, doc, env, base_dir).run(doc.value);
  } catch (const nlohmann::json::exception& e) {
    // The last defence: a shape the schema let through and the loader did
    // not expect is a refusal naming the file, never an abort.
    throw SourceError({name, 0, 0}, std::string("cannot be read: ") + e.what());
  }
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
