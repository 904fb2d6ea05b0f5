#pragma once
// The store's records: plain structs, no behaviour beyond what they say
// about themselves. Every unit of store/ and the state file speak them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock-server/model/image_recipe.h"
#include "mock-server/model/fixture.h"

namespace tollgate::mock {

/// Quota units per US dollar.
inline constexpr std::int64_t kQuotaPerUsd = 500'000;

/// An account as the store keeps it: what the fixture says, as it changes.
struct Account : AccountSpec {};

/// An API key as the store keeps it: what the fixture says, as it changes,
/// and when it was last used.
struct ApiKey : KeySpec {
  std::int64_t accessed_time = 0;  ///< Unix seconds
};

/// Why a key cannot be used.
enum class KeyProblem { kNone, kMissing, kUnknown, kWrongFamily, kDisabled, kExpired, kExhausted };

/// The result of authenticating an API key: a snapshot of key and account.
struct KeyAuth {
  KeyProblem problem = KeyProblem::kNone;
  ApiKey key;
  std::string username;
};

enum class LogType : int { kTopUp = 1, kConsume = 2, kManage = 3, kSystem = 4, kError = 5, kRefund = 6 };

/// A log's figures: everything but its words.
struct LogFigures {
  std::int64_t id = 0;
  std::int64_t account = 0;
  std::int64_t created_at = 0;  ///< Unix seconds
  LogType type = LogType::kConsume;
  std::int64_t quota = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

struct LogEntry : LogFigures {
  std::string content;
  std::string username;
  std::string token_name;
  std::string model_name;
};

struct LogQuery {
  int type = 0;  ///< 0: all
  std::optional<std::string> token_name, model_name, username;
  std::optional<std::int64_t> start_s, end_s;
  std::int64_t page = 1;
  std::int64_t page_size = 10000;
};

struct LogPage {
  std::vector<LogEntry> items;
  std::int64_t total = 0;
};

/// What a billed call charges and logs.
struct Charge {
  std::int64_t quota = 0;
  std::string model;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  /// What was done ("chat completion"); the log's content adds the figures.
  std::string what;
};

enum class ChargeResult { kCharged, kInsufficientQuota, kKeyGone };

enum class TaskState : int { kQueued = 0, kProcessing = 1, kSucceeded = 2, kFailed = 3 };

/// One try of a task at a source (auto-route).
struct TaskAttempt {
  std::string source;
  bool ok = false;
  std::string error;
};

enum class CallbackState : int { kNone = 0, kDue = 1, kDelivered = 2, kGaveUp = 3 };

/// An async task (aiapigiare Media, Apixo). Its outcome and the times of
/// its transitions are planned when it is submitted; the clock moves it,
/// never a poll: queued until `start_ms`, processing until `finish_ms`,
/// then succeeded or failed (failed when `fail_code` is set).
struct Task {
  std::string id;
  std::string family;  ///< aiapigiare or apixo
  std::string model;
  std::string prompt;
  std::int64_t key_id = 0;
  std::int64_t account = 0;
  std::string key_name;
  std::int64_t created_ms = 0, start_ms = 0, finish_ms = 0;
  TaskState state = TaskState::kQueued;
  std::int64_t quota = 0;  ///< charged at submit, refunded on failure
  std::string fail_code, fail_msg;
  std::vector<TaskAttempt> attempts;  ///< sources tried, in order
  std::string source;                 ///< the source that served it
  std::vector<ImageRecipe> images;    ///< the results, served from /cdn/<id>/<n>.<ext>
  std::int64_t expires_ms = 0;        ///< when the result links stop working; 0 never
  std::string base_url;               ///< "http://host:port" the result links start with
  std::string callback_url;
  CallbackState callback = CallbackState::kNone;
  nlohmann::json extra = nlohmann::json::object();  ///< family-specific request figures

  bool finished() const { return state == TaskState::kSucceeded || state == TaskState::kFailed; }
  /// "/cdn/<id>/<n>.png"
  std::string result_path(std::size_t n) const {
    return "/cdn/" + id + "/" + std::to_string(n) + "." + extension(images.at(n).format);
  }
};

enum class SubmitResult { kAccepted, kInsufficientQuota, kTooManyTasks, kKeyGone };

}  // namespace tollgate::mock
