#include "mock-server/core/fixture.h"

#include <algorithm>
#include <set>

#include "common/source_error.h"
#include "common/yaml_json.h"
#include "contract/document_set.h"
#include "contract/schema_validator.h"
#include "mock-server/core/faults.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

// The fixture format, checked with the contract engine's validator so that
// a typo is an error with a position, never a silently ignored key.
constexpr const char* kFixtureSchema = R"(
Fixture:
  type: object
  additionalProperties: false
  required: [version, accounts, keys, models]
  properties:
    version: {type: integer, enum: [1]}
    accounts:
      type: array
      items:
        type: object
        additionalProperties: false
        required: [id, username, access_key]
        properties:
          id: {type: integer, minimum: 1}
          username: {type: string, minLength: 1}
          display_name: {type: string}
          email: {type: string}
          access_key: {type: string, minLength: 1}
          telegram_id: {type: string}
          role: {type: integer, enum: [1, 10, 100]}
          quota: {type: integer, minimum: 0}
          used_quota: {type: integer, minimum: 0}
          request_count: {type: integer, minimum: 0}
          aimichat_daily_credits: {type: integer, minimum: 0}
    keys:
      type: array
      items:
        type: object
        additionalProperties: false
        required: [id, account, key, name, families]
        properties:
          id: {type: integer, minimum: 1}
          account: {type: integer, minimum: 1}
          key: {type: string, minLength: 1}
          name: {type: string}
          families:
            type: array
            items: {type: string, enum: [aiapigiare, aimichat, aiproxy, apixo]}
          status: {type: integer, enum: [1, 2, 3, 4]}
          remain_quota: {type: integer, minimum: 0}
          unlimited_quota: {type: boolean}
          used_quota: {type: integer, minimum: 0}
          expired_time: {type: integer, minimum: -1}
          created_time: {type: integer, minimum: 0}
          rate_limit_per_minute: {type: integer, minimum: 1}
          max_concurrent_tasks: {type: integer, minimum: 1}
    models:
      type: array
      items:
        type: object
        additionalProperties: false
        required: [id, provider, type]
        properties:
          id: {type: string, minLength: 1}
          provider: {type: string}
          type: {type: string, enum: [chat, completion, embedding, image]}
          context_window: {type: integer, minimum: 1}
          price_input: {type: number, minimum: 0}
          price_output: {type: number, minimum: 0}
          dimensions: {type: integer, minimum: 1}
          families:
            type: array
            items: {type: string, enum: [aiapigiare, aimichat, aiproxy, apixo]}
          upstreams: {type: array, items: {type: string}}
          latency: {$ref: '#/Latency'}
          latency_realistic: {$ref: '#/Latency'}
          catalog: {type: object}
          image: {$ref: '#/Image'}
    moderation:
      type: object
      additionalProperties: false
      properties:
        words: {type: array, items: {type: string, minLength: 1}}
    faults: {$ref: '#/Faults'}
    providers:
      type: object
      additionalProperties:
        type: object
        additionalProperties: false
        properties:
          healthy: {type: boolean}
Image:
  type: object
  additionalProperties: false
  properties:
    sizes: {type: array, items: {type: string, pattern: '^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$'}}
    aspect_ratios: {type: array, items: {type: string, pattern: '^[1-9][0-9]?:[1-9][0-9]?$'}}
    max_side: {type: integer, minimum: 1, maximum: 8192}
    max_inputs: {type: integer, minimum: 0}
    formats: {type: array, minItems: 1, items: {type: string, enum: [png, webp]}}
    price_per_image: {type: number, minimum: 0}
    task_ms: {$ref: '#/Range'}
    task_ms_realistic: {$ref: '#/Range'}
Range:
  type: array
  minItems: 2
  maxItems: 2
  items: {type: integer, minimum: 0}
Faults:
  type: array
  items:
    type: object
    additionalProperties: false
    properties:
      family: {type: string, enum: [aiapigiare, aimichat, aiproxy, apixo]}
      model: {type: string}
      route: {type: string, description: 'path prefix after the family prefix, e.g. /v1/chat'}
      rate: {type: number, minimum: 0, maximum: 1}
      status: {type: integer, minimum: 400, maximum: 599}
      latency:
        type: object
        additionalProperties: false
        properties:
          fixed_ms: {type: number, minimum: 0}
          uniform_ms: {$ref: '#/Range'}
          lognormal: {type: object, additionalProperties: false, required: [median_ms, sigma],
                      properties: {median_ms: {type: number, minimum: 0}, sigma: {type: number, minimum: 0}}}
      reset: {type: boolean}
      truncate: {type: boolean}
      stream_cut: {type: integer, minimum: 0}
      stream_error: {type: boolean}
      slow_headers_ms: {type: integer, minimum: 0}
      outage: {type: object, additionalProperties: false, required: [source],
               properties: {source: {type: string}, from_s: {type: number, minimum: 0}, for_s: {type: number, minimum: 0}}}
Latency:
  type: object
  additionalProperties: false
  properties:
    ttft_ms: {type: number, minimum: 0}
    itl_ms: {type: number, minimum: 0}
)";

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

}  // namespace

Fixture parse_fixture(const std::string& text, const std::string& name) {
  const YamlDocument doc = parse_yaml(text, name);
  static const contract::DocumentSet schema_docs = contract::DocumentSet::parse(kFixtureSchema, "fixture-schema");
  static const contract::SchemaValidator validator(schema_docs);
  std::vector<contract::Violation> violations;
  if (!validator.validate(schema_docs.root_ref().child("Fixture"), doc.value, contract::Direction::kRequest,
                          violations)) {
    // An unknown key is most often the cause of the rest (a typo): name it first.
    std::stable_partition(violations.begin(), violations.end(), [](const contract::Violation& v) {
      return v.schema_pointer.ends_with("/additionalProperties");
    });
    std::string message;
    for (std::size_t i = 0; i < violations.size() && i < 3; ++i)
      message += (i ? "; " : "") + (violations[i].instance_pointer.empty() ? std::string("(root)")
                                                                           : violations[i].instance_pointer) +
                 ": " + violations[i].message;
    throw SourceError(doc.sources.locate(name, violations.front().instance_pointer), "fixture " + message);
  }
  const json& j = doc.value;
  auto where = [&](const std::string& pointer) { return doc.sources.locate(name, pointer); };

  Fixture f;
  std::set<std::int64_t> account_ids;
  for (std::size_t i = 0; i < j["accounts"].size(); ++i) {
    const json& a = j["accounts"][i];
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
    if (!account_ids.insert(s.id).second)
      throw SourceError(where("/accounts/" + std::to_string(i) + "/id"), "duplicate account id " + std::to_string(s.id));
    f.accounts.push_back(std::move(s));
  }
  std::set<std::int64_t> key_ids;
  std::set<std::string> key_strings;
  for (std::size_t i = 0; i < j["keys"].size(); ++i) {
    const json& k = j["keys"][i];
    const std::string at = "/keys/" + std::to_string(i);
    KeySpec s;
    s.id = k["id"];
    s.account = k["account"];
    s.key = k["key"];
    s.name = k["name"];
    s.families = strings(k["families"]);
    s.status = k.value("status", 1);
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
    if (!key_ids.insert(s.id).second) throw SourceError(where(at + "/id"), "duplicate key id " + std::to_string(s.id));
    if (!key_strings.insert(s.key).second) throw SourceError(where(at + "/key"), "the same key string is used twice");
    f.keys.push_back(std::move(s));
  }
  std::set<std::string> model_ids;
  for (std::size_t i = 0; i < j["models"].size(); ++i) {
    const json& m = j["models"][i];
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
    s.catalog = m.value("catalog", json::object());
    if (m.contains("image")) {
      const json& im = m["image"];
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
        if (r[0] > r[1])
          throw SourceError(where("/models/" + std::to_string(i) + "/image"), "a task_ms range must be [min, max]");
    } else if (s.type == "image") {
      s.image.price_per_image = s.catalog.value("price_per_request", 0.04);
    }
    if (!model_ids.insert(s.id).second)
      throw SourceError(where("/models/" + std::to_string(i) + "/id"), "duplicate model '" + s.id + "'");
    f.models.push_back(std::move(s));
  }
  if (j.contains("providers"))
    for (auto it = j["providers"].begin(); it != j["providers"].end(); ++it)
      f.provider_healthy[it.key()] = it.value().value("healthy", true);
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
