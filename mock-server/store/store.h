#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/secrets.h"
#include "mock-server/core/fixture.h"
#include "mock-server/content/images.h"

namespace tollgate::mock {

/// Quota units per US dollar.
inline constexpr std::int64_t kQuotaPerUsd = 500'000;

enum class KeyStatus : int { kEnabled = 1, kDisabled = 2, kExpired = 3, kExhausted = 4 };

struct Account : AccountSpec {};

struct ApiKey {
  std::int64_t id = 0;
  std::int64_t account = 0;
  std::string key;
  std::string name;
  std::vector<std::string> families;
  KeyStatus status = KeyStatus::kEnabled;
  std::int64_t remain_quota = 0;
  bool unlimited_quota = false;
  std::int64_t used_quota = 0;
  std::int64_t expired_time = -1;
  std::int64_t created_time = 0;
  std::int64_t accessed_time = 0;
  std::int64_t rate_limit_per_minute = 1000;
  std::int64_t max_concurrent_tasks = 1000;
};

enum class LogType : int { kTopUp = 1, kConsume = 2, kManage = 3, kSystem = 4, kError = 5, kRefund = 6 };

struct LogEntry {
  std::int64_t id = 0;
  std::int64_t account = 0;
  std::int64_t created_at = 0;  ///< Unix seconds
  LogType type = LogType::kConsume;
  std::string content;
  std::string username;
  std::string token_name;
  std::string model_name;
  std::int64_t quota = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

/// Why a key cannot be used.
enum class KeyProblem { kNone, kMissing, kUnknown, kWrongFamily, kDisabled, kExpired, kExhausted };

/// The result of authenticating an API key: a snapshot of key and account.
struct KeyAuth {
  KeyProblem problem = KeyProblem::kNone;
  ApiKey key;
  std::string username;
};

/// A sliding one-minute window per key, counted in 100 ms buckets: a
/// request is admitted when fewer than the limit were admitted in its own
/// bucket and the 600 before it. No 60-second span ever admits more than
/// the limit; a slot frees between 60.0 and 60.1 s after its request.
struct RateDecision {
  bool allowed = true;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;  ///< Unix seconds when the oldest admitted request leaves the window
};

/// AimiChat's per-account daily credits (reset at 00:00 UTC).
struct CreditDecision {
  bool allowed = true;
  std::int64_t limit = 0;
  std::int64_t used = 0;
  std::int64_t reset_s = 0;
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
  std::string result_path(std::size_t n) const;
};

enum class SubmitResult { kAccepted, kInsufficientQuota, kTooManyTasks, kKeyGone };

class StateDb;

/// Accounts, keys, quota, request counts, rate windows and logs: one store
/// every family reads and writes in its own dialect. Every operation is
/// atomic (one mutex), so the ledger stays exact under any concurrency.
class Store {
 public:
  /// `max_logs` bounds memory: the oldest logs are dropped beyond it.
  /// Finished tasks beyond `max_tasks` are forgotten, oldest first.
  /// With `db`, every change is written through to it; `from_db` starts
  /// from what it holds instead of the fixture (which then seeds it).
  Store(const Fixture& fixture, const Clock& clock, std::size_t max_logs = 200'000, std::size_t max_tasks = 200'000,
        StateDb* db = nullptr, bool from_db = false);

  /// Checks an API key for `family`, moving its status lazily: past its
  /// expired_time it becomes expired, with no quota left exhausted.
  KeyAuth authenticate(std::string_view key, std::string_view family);

  /// Admits one request in the key's current minute window, or refuses it.
  RateDecision admit(std::int64_t key_id);

  /// Uses one AimiChat credit of the key's account for today, or refuses.
  CreditDecision use_credit(std::int64_t account_id);
  CreditDecision credits(std::int64_t account_id) const;

  /// Charges a billed call to the key and its account and writes a consume
  /// log, all or nothing: never more than the key and account have.
  ChargeResult charge(std::int64_t key_id, const Charge& charge);

  // aiapigiare System API.
  std::optional<Account> account_by_access_key(std::string_view access_key) const;
  std::vector<ApiKey> keys_of(std::int64_t account, std::string_view keyword) const;
  bool delete_key(std::int64_t account, std::int64_t key_id);
  std::optional<ApiKey> edit_quota(std::int64_t account, std::int64_t key_id, std::int64_t remain_quota,
                                   std::optional<bool> unlimited);
  LogPage logs(std::int64_t account, const LogQuery& query) const;
  std::optional<Account> account(std::int64_t id) const;

  // Async tasks.
  /// Admits a task when the key has fewer than its max_concurrent_tasks
  /// unfinished and quota for `task.quota`; charges it (consume log) and
  /// stores it, all or nothing.
  SubmitResult submit_task(Task task, const std::string& what);
  /// Moves every task whose transition time has come; a task that fails is
  /// refunded (refund log). Returns the tasks that finished just now.
  std::vector<Task> advance_tasks();
  /// The task as of now, or nothing.
  std::optional<Task> task(std::string_view id);
  /// An account's tasks of `family` submitted within [start_s, end_s], newest first.
  std::vector<Task> tasks_of(std::int64_t account, std::string_view family, std::int64_t start_s, std::int64_t end_s);
  std::int64_t active_tasks(std::int64_t key_id);
  /// {"queued": n, "processing": n, "succeeded": n, "failed": n}
  nlohmann::json task_counts() const;
  void set_callback_state(const std::string& task_id, CallbackState state);
  /// Finished tasks whose callback is still due (after a restart).
  std::vector<Task> due_callbacks() const;

  const Clock& clock() const { return clock_; }

 private:
  // Logs are kept compact (numbers and interned strings, no allocation per
  // entry) so that millions of billed calls neither fragment the heap nor
  // slow the hot path; LogEntry is built only when logs are read.
  struct StoredLog {
    std::int64_t id, account, created_at, quota, prompt_tokens, completion_tokens;
    std::uint32_t username, token_name, model_name, content;
    LogType type;
  };
  void add_log(LogType type, std::int64_t account, const std::string& token_name, const std::string& model,
               const std::string& content, std::int64_t quota = 0, std::int64_t prompt_tokens = 0,
               std::int64_t completion_tokens = 0);
  /// Keeps a log in compact form (oldest dropped beyond max_logs).
  void keep_log(const LogEntry& e);
  std::uint32_t intern(const std::string& text);
  LogEntry expand(const StoredLog& log) const;
  void refresh_status(ApiKey& key) const;

  const Clock& clock_;
  const std::size_t max_logs_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, Account> accounts_;
  std::map<std::int64_t, ApiKey> keys_;
  std::unordered_map<std::string, std::int64_t> key_ids_;  ///< key string -> id
  struct Window {
    static constexpr int kBuckets = 601;  ///< 100 ms each: a minute and the current bucket
    std::array<std::int32_t, kBuckets> counts{};
    std::int64_t newest = -1;  ///< the newest bucket number written (ms / 100)
    std::int64_t total = 0;    ///< admitted in the buckets of the window
  };
  std::unordered_map<std::int64_t, Window> windows_;  ///< key id -> its last minute
  struct DailyCredits {
    std::int64_t day = -1;
    std::int64_t used = 0;
  };
  std::unordered_map<std::int64_t, DailyCredits> credits_;  ///< account -> today
  std::deque<StoredLog> logs_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, std::uint32_t> string_ids_;
  std::int64_t next_log_id_ = 1;

  /// Takes `quota` from the key and its account, or nothing when either
  /// has less; under the lock.
  bool debit(ApiKey& key, std::int64_t quota);
  void refund(const Task& task);
  void load(StateDb& db);
  /// A transaction on the state file, when there is one.
  struct Txn {
    explicit Txn(StateDb* db);
    ~Txn();
    StateDb* db;
  };
  StateDb* db_ = nullptr;
  std::vector<Task> advance_locked();
  std::unordered_map<std::string, Task> tasks_;
  std::set<std::pair<std::int64_t, std::string>> timeline_;  ///< (next transition ms, task id)
  std::unordered_map<std::int64_t, std::int64_t> active_;    ///< key id -> unfinished tasks
  std::deque<std::string> task_order_;                       ///< ids, oldest first, for eviction
  std::size_t max_tasks_;
};

}  // namespace tollgate::mock
