#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "mock-server/model/fixture.h"
#include "mock-server/store/accounts.h"
#include "mock-server/store/daily_credits.h"
#include "mock-server/store/ledger.h"
#include "mock-server/store/log_book.h"
#include "mock-server/store/rate_limiter.h"
#include "mock-server/model/records.h"
#include "mock-server/store/task_board.h"

namespace tollgate::mock {

class StateDb;

// ---------------------------------------------------------------------------
// Lock discipline of the store (the one place it is written down)
//
// * The ledger lock (Store::mutex_) guards Accounts (accounts and keys, and
//   their lazy status moves), the Ledger's figures, the LogBook, the
//   TaskBoard (tasks, timeline, active counts, callback state) and the
//   state file (StateDb: its one connection and its open transaction).
//   None of those units has a lock of its own.
// * A charge and a task submit hold it across key + account + log + task:
//   the quota check, the debit of key and account, the consume log and the
//   stored task are one step. That is what makes N parallel billed calls
//   charge exactly N amounts, keeps quota from going negative when calls
//   race for the last of it, keeps the 1,000-unfinished-tasks limit exact,
//   and means no reader ever sees a charge without its log or a task that
//   was not paid for. A task's end and its refund are one step likewise.
// * The RateLimiter and the DailyCredits each have their own lock, because
//   they touch nothing else: a key's rate limit comes with the key's
//   snapshot, an account's daily credit limit is copied in when the store
//   is built. So the hot path's rate check never waits for the ledger.
// * No two locks are ever held at once: every Store operation takes one of
//   the three, calls only units that take none, and lets go before it takes
//   another (a used credit is written to the state file after the credits'
//   lock is released, under the ledger lock, and only when it is newer than
//   what the file holds, so concurrent credits never write the count back).
// * The SQLite write-through happens inside the ledger lock, in the same
//   step that changes memory and before the answer is sent: the file's order
//   is the answers' order, and every answered change survives kill -9.
// (The app's state lock, MockApp::state_mutex_, lies outside: held shared by
// every request around its use of the store, exclusively only to replace
// the whole store on reset.)
// ---------------------------------------------------------------------------

/// Accounts, keys, quota, request counts, rate windows, credits, logs and
/// tasks: the one store every family reads and writes in its own dialect,
/// a facade over the units above. Every operation is atomic.
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

  /// Admits one request of `key` (an authenticated snapshot) in its sliding
  /// minute window, or refuses it.
  RateDecision admit(const ApiKey& key);

  /// Uses one AimiChat credit of the account for today, or refuses.
  CreditDecision use_credit(std::int64_t account_id);
  CreditDecision credits(std::int64_t account_id) const;

  /// Charges a billed call to the key and its account and writes a consume
  /// log, all or nothing: never more than the key and account have.
  ChargeResult charge(std::int64_t key_id, const Charge& charge);

  // aiapigiare System API.
  std::optional<Account> account_by_access_key(std::string_view access_key) const;
  std::optional<Account> account(std::int64_t id) const;
  std::vector<ApiKey> keys_of(std::int64_t account, std::string_view keyword) const;
  bool delete_key(std::int64_t account, std::int64_t key_id);
  std::optional<ApiKey> edit_quota(std::int64_t account, std::int64_t key_id, std::int64_t remain_quota,
                                   std::optional<bool> unlimited);
  LogPage logs(std::int64_t account, const LogQuery& query) const;

  // Async tasks.
  /// Admits a task when the key has fewer than its max_concurrent_tasks
  /// unfinished and quota for `task.quota`; charges it (consume log) and
  /// stores it, all or nothing.
  SubmitResult submit_task(Task task, const std::string& what);
  /// Moves every task whose transition time has come; a task that fails is
  /// refunded (refund log). Returns every task that finished since the
  /// last call, whichever call moved it: reads move tasks too, and a task
  /// a read finished must still get its callback.
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
  void seed(const Fixture& fixture);
  void load(StateDb& db);
  /// Moves the tasks under the ledger lock; those that finish wait in
  /// finished_ for advance_tasks().
  void advance_locked();

  const Clock& clock_;
  StateDb* db_;
  mutable std::mutex mutex_;  ///< the ledger lock
  std::vector<Task> finished_;  ///< finished and not yet returned by advance_tasks()
  Accounts accounts_;
  LogBook logs_;
  Ledger ledger_;
  TaskBoard tasks_;
  /// (day, used) of each account's credits as the state file holds them.
  std::unordered_map<std::int64_t, std::pair<std::int64_t, std::int64_t>> credits_saved_;
  RateLimiter rate_;       ///< its own lock
  DailyCredits credits_;   ///< its own lock
};

}  // namespace tollgate::mock
