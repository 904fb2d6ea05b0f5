#include "mock-server/store/store.h"

#include "mock-server/state/state_db.h"

namespace tollgate::mock {

Store::Store(const Fixture& fixture, const Clock& clock, std::size_t max_logs, std::size_t max_tasks, StateDb* db,
             bool from_db)
    : clock_(clock),
      db_(db),
      accounts_(clock),
      logs_(clock, max_logs, db),
      ledger_(accounts_, logs_, db),
      tasks_(max_tasks, db),
      rate_(clock),
      credits_(clock) {
  if (db && from_db)
    load(*db);
  else
    seed(fixture);
  for (const auto& [id, a] : accounts_.accounts()) credits_.set_limit(id, a.aimichat_daily_credits);
}

void Store::seed(const Fixture& fixture) {
  accounts_.seed(fixture);
  if (!db_) return;
  db_->clear();
  StateTxn txn(db_);
  for (const auto& [id, a] : accounts_.accounts()) db_->save_account(a);
  for (const auto& [id, k] : accounts_.keys()) db_->save_key(k);
}

void Store::load(StateDb& db) {
  SavedState saved = db.load(logs_.max_logs(), tasks_.max_tasks());
  for (auto& a : saved.accounts) accounts_.add(std::move(a));
  for (auto& k : saved.keys) accounts_.add(std::move(k));
  for (const auto& e : saved.logs) logs_.keep(e);
  logs_.set_next_id(saved.next_log_id);
  for (const auto& c : saved.credits) {
    credits_.restore(c.account, c.day, c.used);
    credits_saved_[c.account] = {c.day, c.used};
  }
  // Tasks in flight resume where their plan says they are: a task whose
  // time passed while the mock was down finishes (or fails and is
  // refunded) at the first tick.
  for (auto& t : saved.tasks) tasks_.restore(std::move(t));
}

KeyAuth Store::authenticate(std::string_view key, std::string_view family) {
  if (key.empty()) return {KeyProblem::kMissing, {}, {}};
  std::lock_guard lock(mutex_);
  return accounts_.authenticate(key, family);
}

RateDecision Store::admit(const ApiKey& key) { return rate_.admit(key.id, key.rate_limit_per_minute); }

CreditDecision Store::credits(std::int64_t account_id) const { return credits_.peek(account_id); }

CreditDecision Store::use_credit(std::int64_t account_id) {
  const CreditDecision d = credits_.use(account_id);  // the credits' own lock, released
  if (!d.allowed || !db_) return d;
  std::lock_guard lock(mutex_);  // the ledger lock guards the state file
  auto& saved = credits_saved_[account_id];
  if (std::pair(d.day, d.used) > saved) {  // a credit used after this one may have been written first
    db_->save_credits(account_id, d.day, d.used);
    saved = {d.day, d.used};
  }
  return d;
}

ChargeResult Store::charge(std::int64_t key_id, const Charge& charge) {
  std::lock_guard lock(mutex_);
  return ledger_.charge(key_id, charge);
}

std::optional<Account> Store::account_by_access_key(std::string_view access_key) const {
  std::lock_guard lock(mutex_);
  const Account* a = accounts_.by_access_key(access_key);
  return a ? std::optional<Account>(*a) : std::nullopt;
}

std::optional<Account> Store::account(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  const Account* a = accounts_.account(id);
  return a ? std::optional<Account>(*a) : std::nullopt;
}

std::vector<ApiKey> Store::keys_of(std::int64_t account, std::string_view keyword) const {
  std::lock_guard lock(mutex_);
  return accounts_.keys_of(account, keyword);
}

bool Store::delete_key(std::int64_t account, std::int64_t key_id) {
  {
    std::lock_guard lock(mutex_);
    if (!ledger_.delete_key(account, key_id)) return false;
  }
  rate_.forget(key_id);  // after the ledger lock: never two at once
  return true;
}

std::optional<ApiKey> Store::edit_quota(std::int64_t account, std::int64_t key_id, std::int64_t remain_quota,
                                        std::optional<bool> unlimited) {
  std::lock_guard lock(mutex_);
  return ledger_.set_quota(account, key_id, remain_quota, unlimited);
}

LogPage Store::logs(std::int64_t account, const LogQuery& query) const {
  std::lock_guard lock(mutex_);
  return logs_.page(account, query);
}

SubmitResult Store::submit_task(Task task, const std::string& what) {
  std::lock_guard lock(mutex_);
  advance_locked();  // tasks that are done no longer count against the limit
  const ApiKey* key = accounts_.key(task.key_id);
  if (!key) return SubmitResult::kKeyGone;
  if (tasks_.active(key->id) >= key->max_concurrent_tasks) return SubmitResult::kTooManyTasks;
  StateTxn txn(db_);  // the charge, its log and the task: one transaction
  Charge charge;
  charge.quota = task.quota;
  charge.model = task.model;
  charge.what = what + " (task " + task.id + ")";
  if (ledger_.charge(key->id, charge) != ChargeResult::kCharged) return SubmitResult::kInsufficientQuota;
  task.account = key->account;
  task.key_name = key->name;
  tasks_.add(std::move(task));
  return SubmitResult::kAccepted;
}

void Store::advance_locked() {
  auto done = tasks_.advance(clock_.now_ms(), [this](const Task& t) {
    if (t.state == TaskState::kFailed && t.quota > 0) ledger_.refund(t);
  });
  // A read that crosses a task's finish time used to drop this list, and
  // with it the task's callback (issue 13: the lost callback).
  for (auto& t : done) finished_.push_back(std::move(t));
}

std::vector<Task> Store::advance_tasks() {
  std::lock_guard lock(mutex_);
  advance_locked();
  return std::exchange(finished_, {});
}

std::optional<Task> Store::task(std::string_view id) {
  std::lock_guard lock(mutex_);
  advance_locked();
  const Task* t = tasks_.find(id);
  return t ? std::optional<Task>(*t) : std::nullopt;
}

std::vector<Task> Store::tasks_of(std::int64_t account, std::string_view family, std::int64_t start_s,
                                  std::int64_t end_s) {
  std::lock_guard lock(mutex_);
  advance_locked();
  return tasks_.of(account, family, start_s, end_s);
}

std::int64_t Store::active_tasks(std::int64_t key_id) {
  std::lock_guard lock(mutex_);
  advance_locked();
  return tasks_.active(key_id);
}

nlohmann::json Store::task_counts() const {
  std::lock_guard lock(mutex_);
  return tasks_.counts();
}

void Store::set_callback_state(const std::string& task_id, CallbackState state) {
  std::lock_guard lock(mutex_);
  tasks_.set_callback(task_id, state);
}

std::vector<Task> Store::due_callbacks() const {
  std::lock_guard lock(mutex_);
  return tasks_.due_callbacks();
}

}  // namespace tollgate::mock
