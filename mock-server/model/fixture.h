#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tollgate::mock {

struct AccountSpec {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string email;
  std::string access_key;  ///< the System API's Bearer credential
  std::string telegram_id;
  int role = 1;
  std::int64_t quota = 0;  ///< remaining, 500,000 units per USD
  std::int64_t used_quota = 0;
  std::int64_t request_count = 0;
  std::int64_t aimichat_daily_credits = 100;  ///< AimiChat's per-account daily limit
};

enum class KeyStatus : int { kEnabled = 1, kDisabled = 2, kExpired = 3, kExhausted = 4 };

struct KeySpec {
  std::int64_t id = 0;
  std::int64_t account = 0;
  std::string key;
  std::string name;
  std::vector<std::string> families;  ///< where the key is accepted
  KeyStatus status = KeyStatus::kEnabled;
  std::int64_t remain_quota = 0;
  bool unlimited_quota = false;
  std::int64_t used_quota = 0;
  std::int64_t expired_time = -1;  ///< Unix seconds, -1 never
  std::int64_t created_time = 0;
  std::int64_t rate_limit_per_minute = 1000;
  std::int64_t max_concurrent_tasks = 1000;  ///< unfinished async tasks at once
};

/// Time to first token and between tokens, in milliseconds.
struct LatencyProfile {
  double ttft_ms = 0;
  double itl_ms = 0;
};

/// A model server's capacity (store/capacity_gate.h).
struct CapacitySpec {
  int concurrency = 0;  ///< generations at once; 0: unlimited (no gate)
  int queue = 0;        ///< requests waiting at most
  int refuse = 429;     ///< the status beyond the queue: 429 or 503
};

/// What an image model accepts and how long its tasks take.
struct ImageSpec {
  std::vector<std::string> sizes;          ///< "1024x1024"; empty: any up to max_side
  std::vector<std::string> aspect_ratios;  ///< "16:9"; empty: any
  int max_side = 4096;
  int max_inputs = 10;                     ///< reference images; 0: text-to-image only
  std::vector<std::string> formats{"png", "webp"};
  double price_per_image = 0.04;           ///< USD
  int task_ms_fast[2] = {500, 2000};       ///< duration range, fast profile
  int task_ms_realistic[2] = {20000, 40000};
};

struct ModelSpec {
  std::string id;
  std::string provider;  ///< openai, anthropic, google, ...
  std::string type;      ///< chat, completion, embedding, image
  std::int64_t context_window = 4096;
  double price_input = 0;   ///< USD per 1,000 prompt tokens
  double price_output = 0;  ///< USD per 1,000 completion tokens
  int dimensions = 0;       ///< embeddings: the full vector length
  std::vector<std::string> families;   ///< which families list it
  std::vector<std::string> upstreams;  ///< providers that can serve it, in failover order
  LatencyProfile fast;
  LatencyProfile realistic;
  CapacitySpec capacity;  ///< generations at once and waiting; concurrency 0: unlimited
  nlohmann::json catalog;  ///< aiapigiare catalog fields (uptime, endpoint, docs, ...)
  ImageSpec image;         ///< type image
};

/// What the mock starts with: accounts, keys, models, provider health.
struct Fixture {
  std::vector<AccountSpec> accounts;
  std::vector<KeySpec> keys;
  std::vector<ModelSpec> models;
  std::map<std::string, bool> provider_healthy;  ///< absent: healthy
  std::vector<std::string> moderation_words{"forbidden"};  ///< a prompt holding one fails moderation
  nlohmann::json faults = nlohmann::json::array();        ///< the fault profile (see faults.h)
  /// Refuse request-body fields the contract does not list (OpenAI's
  /// `unknown_parameter` 400); off: accepted, as providers add their own.
  bool strict_params = false;
};

/// Loads a fixture file. Unknown keys, wrong types, duplicate ids or keys
/// and references to missing accounts are errors naming file:line:column.
/// Throws SourceError.
Fixture load_fixture(const std::string& path);
Fixture parse_fixture(const std::string& text, const std::string& name);

}  // namespace tollgate::mock
