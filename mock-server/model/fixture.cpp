#include "mock-server/model/fixture.h"

#include <algorithm>
#include <functional>
#include <set>

#include "common/source_error.h"
#include "common/yaml_json.h"
#include "contract/document_set.h"
#include "contract/schema_validator.h"
#include "mock-server/faults/faults.h"

namespace tollgate::mock {

// The fixture format (model/fixture.schema.yaml, embedded at build time),
// checked with the contract engine's validator so that a typo is an error
// with a position, never a silently ignored key.
extern const char kFixtureSchema[];

namespace {

using nlohmann::json;
using Where = std::function<SourceLocation(const std::string& pointer)>;

LatencyProfile latency(const json& j) {
  LatencyProfile p;
  if (!j.is_object()) return p;
  p.ttft_ms = j.value("ttft_ms", 0.0);
  p.itl_ms = j.value("itl_ms", 0.0);
  return p;
}

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& s : j) out.push_back(s.get<std::string>());
  return out;
}

/// Checks the document against the schema; throws naming the first
/// problems, an unknown key (most often the cause of the rest) first.
void validate(const YamlDocument& doc, const std::string& name) {
  static const contract::DocumentSet schema_docs = contract::DocumentSet::parse(kFixtureSchema, "fixture-schema");
  static const contract::SchemaValidator validator(schema_docs);
  std::vector<contract::Violation> violations;
  if (validator.validate(schema_docs.root_ref().child("Fixture"), doc.value, contract::Direction::kRequest,
                         violations))
    return;
  std::stable_partition(violations.begin(), violations.end(), [](const contract::Violation& v) {
    return v.schema_pointer.ends_with("/additionalProperties");
  });
  std::string message;
  for (std::size_t i = 0; i < violations.size() && i < 3; ++i)
    message += (i ? "; " : "") +
               (violations[i].instance_pointer.empty() ? std::string("(root)") : violations[i].instance_pointer) +
               ": " + violations[i].message;
  throw SourceError(doc.sources.locate(name, violations.front().instance_pointer), "fixture " + message);
}

std::vector<AccountSpec> parse_accounts(const json& list, const Where& where) {
  std::vector<AccountSpec> out;
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& a = list[i];
    AccountSpec s;
    s.id = a["id"];
    s.username = a["username"];
    s.display_name = a.value("display_name", s.username);
    s.email = a.value("email", "");
    s.access_key = a["access_key"];
    s.telegram_id = a.value("telegram_id", "");
    s.role = a.value("role", 1);
    s.quota = a.value("quota", std::int64_t{0});
    s.used_quota = a.value("used_quota", std::int64_t{0});
    s.request_count = a.value("request_count", std::int64_t{0});
    s.aimichat_daily_credits = a.value("aimichat_daily_credits", std::int64_t{100});
    if (!ids.insert(s.id).second)
      throw SourceError(where("/accounts/" + std::to_string(i) + "/id"), "duplicate account id " + std::to_string(s.id));
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<KeySpec> parse_keys(const json& list, const std::vector<AccountSpec>& accounts, const Where& where) {
  std::set<std::int64_t> account_ids;
  for (const auto& a : accounts) account_ids.insert(a.id);
  std::vector<KeySpec> out;
  std::set<std::int64_t> ids;
  std::set<std::string> strings_seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& k = list[i];
    const std::string at = "/keys/" + std::to_string(i);
    KeySpec s;
    s.id = k["id"];
    s.account = k["account"];
    s.key = k["key"];
    s.name = k["name"];
    s.families = strings(k["families"]);
    s.status = static_cast<KeyStatus>(k.value("status", 1));
    s.remain_quota = k.value("remain_quota", std::int64_t{0});
    s.unlimited_quota = k.value("unlimited_quota", false);
    s.used_quota = k.value("used_quota", std::int64_t{0});
    s.expired_time = k.value("expired_time", std::int64_t{-1});
    s.created_time = k.value("created_time", std::int64_t{0});
    s.rate_limit_per_minute = k.value("rate_limit_per_minute", std::int64_t{1000});
    s.max_concurrent_tasks = k.value("max_concurrent_tasks", std::int64_t{1000});
    if (!account_ids.count(s.account))
      throw SourceError(where(at + "/account"), "key '" + s.name + "' names account " + std::to_string(s.account) +
                                                    ", which the fixture does not define");
    if (!ids.insert(s.id).second) throw SourceError(where(at + "/id"), "duplicate key id " + std::to_string(s.id));
    if (!strings_seen.insert(s.key).second) throw SourceError(where(at + "/key"), "the same key string is used twice");
    out.push_back(std::move(s));
  }
  return out;
}

void parse_image(const json& im, ModelSpec& s, const Where& where, const std::string& at) {
  s.image.sizes = strings(im.value("sizes", json::array()));
  s.image.aspect_ratios = strings(im.value("aspect_ratios", json::array()));
  s.image.max_side = im.value("max_side", 4096);
  s.image.max_inputs = im.value("max_inputs", 10);
  if (im.contains("formats")) s.image.formats = strings(im["formats"]);
  s.image.price_per_image = im.value("price_per_image", s.catalog.value("price_per_request", 0.04));
  if (im.contains("task_ms")) s.image.task_ms_fast[0] = im["task_ms"][0], s.image.task_ms_fast[1] = im["task_ms"][1];
  if (im.contains("task_ms_realistic"))
    s.image.task_ms_realistic[0] = im["task_ms_realistic"][0], s.image.task_ms_realistic[1] = im["task_ms_realistic"][1];
  for (const int* r : {s.image.task_ms_fast, s.image.task_ms_realistic})
    if (r[0] > r[1]) throw SourceError(where(at + "/image"), "a task_ms range must be [min, max]");
}

std::vector<ModelSpec> parse_models(const json& list, const Where& where) {
  std::vector<ModelSpec> out;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& m = list[i];
    const std::string at = "/models/" + std::to_string(i);
    ModelSpec s;
    s.id = m["id"];
    s.provider = m["provider"];
    s.type = m["type"];
    s.context_window = m.value("context_window", std::int64_t{4096});
    s.price_input = m.value("price_input", 0.0);
    s.price_output = m.value("price_output", 0.0);
    s.dimensions = m.value("dimensions", s.type == "embedding" ? 1536 : 0);
    s.families = m.contains("families") ? strings(m["families"]) : std::vector<std::string>{"aiproxy", "aiapigiare"};
    s.upstreams = m.contains("upstreams") ? strings(m["upstreams"]) : std::vector<std::string>{s.provider};
    s.fast = latency(m.value("latency", json::object()));
    s.realistic = m.contains("latency_realistic") ? latency(m["latency_realistic"]) : LatencyProfile{400, 30};
    if (m.contains("capacity")) {
      const json& c = m["capacity"];
      s.capacity = {c["concurrency"].get<int>(), c.value("queue", 0), c.value("refuse", 429)};
    }
    s.catalog = m.value("catalog", json::object());
    if (m.contains("image"))
      parse_image(m["image"], s, where, at);
    else if (s.type == "image")
      s.image.price_per_image = s.catalog.value("price_per_request", 0.04);
    if (!ids.insert(s.id).second) throw SourceError(where(at + "/id"), "duplicate model '" + s.id + "'");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Fixture parse_fixture(const std::string& text, const std::string& name) {
  const YamlDocument doc = parse_yaml(text, name);
  validate(doc, name);
  const json& j = doc.value;
  const Where where = [&](const std::string& pointer) { return doc.sources.locate(name, pointer); };
  Fixture f;
  f.accounts = parse_accounts(j["accounts"], where);
  f.keys = parse_keys(j["keys"], f.accounts, where);
  f.models = parse_models(j["models"], where);
  if (j.contains("providers"))
    for (auto it = j["providers"].begin(); it != j["providers"].end(); ++it)
      f.provider_healthy[it.key()] = it.value().value("healthy", true);
  if (j.contains("strict_params")) f.strict_params = j["strict_params"].get<bool>();
  if (j.contains("moderation") && j["moderation"].contains("words")) f.moderation_words = strings(j["moderation"]["words"]);
  if (j.contains("faults")) {
    f.faults = j["faults"];
    try {
      FaultProfile().load(f.faults, 0);
    } catch (const std::invalid_argument& e) {
      throw SourceError(where("/faults"), e.what());
    }
  }
  return f;
}

Fixture load_fixture(const std::string& path) { return parse_fixture(read_text_file(path), path); }

}  // namespace tollgate::mock
