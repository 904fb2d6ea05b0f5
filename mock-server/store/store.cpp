#include "mock-server/store/store.h"

#include <algorithm>

#include "mock-server/state/state_db.h"

namespace tollgate::mock {

Store::Txn::Txn(StateDb* d) : db(d) {
  if (db) db->begin();
}
Store::Txn::~Txn() {
  if (db) db->commit();
}

Store::Store(const Fixture& fixture, const Clock& clock, std::size_t max_logs, std::size_t max_tasks, StateDb* db,
             bool from_db)
    : clock_(clock), max_logs_(max_logs), db_(db), max_tasks_(max_tasks) {
  if (db && from_db) {
    load(*db);
    return;
  }
  for (const auto& a : fixture.accounts) accounts_[a.id] = Account{a};
  for (const auto& k : fixture.keys) {
    ApiKey key;
    key.id = k.id;
    key.account = k.account;
    key.key = k.key;
    key.name = k.name;
    key.families = k.families;
    key.status = static_cast<KeyStatus>(k.status);
    key.remain_quota = k.remain_quota;
    key.unlimited_quota = k.unlimited_quota;
    key.used_quota = k.used_quota;
    key.expired_time = k.expired_time;
    key.created_time = k.created_time;
    key.rate_limit_per_minute = k.rate_limit_per_minute;
    key.max_concurrent_tasks = k.max_concurrent_tasks;
    key_ids_[key.key] = key.id;
    keys_[key.id] = std::move(key);
  }
  if (db_) {  // seed the state file
    db_->clear();
    Txn txn(db_);
    for (const auto& [id, a] : accounts_) db_->save_account(a);
    for (const auto& [id, k] : keys_) db_->save_key(k);
  }
}

void Store::load(StateDb& db) {
  SavedState saved = db.load(max_logs_, max_tasks_);
  for (auto& a : saved.accounts) accounts_[a.id] = std::move(a);
  for (auto& k : saved.keys) {
    key_ids_[k.key] = k.id;
    keys_[k.id] = std::move(k);
  }
  for (const auto& e : saved.logs) keep_log(e);
  next_log_id_ = saved.next_log_id;
  for (const auto& c : saved.credits) credits_[c.account] = {c.day, c.used};
  // Tasks in flight resume where their plan says they are: a task whose
  // time passed while the mock was down finishes (or fails and is
  // refunded) at the first tick.
  for (auto& t : saved.tasks) {
    if (!t.finished()) {
      ++active_[t.key_id];
      timeline_.emplace(t.state == TaskState::kQueued ? t.start_ms : t.finish_ms, t.id);
    }
    task_order_.push_back(t.id);
    tasks_.emplace(t.id, std::move(t));
  }
}

void Store::refresh_status(ApiKey& key) const {
  if (key.status != KeyStatus::kEnabled) return;
  if (key.expired_time != -1 && clock_.now_s() > key.expired_time)
    key.status = KeyStatus::kExpired;
  else if (!key.unlimited_quota && key.remain_quota <= 0)
    key.status = KeyStatus::kExhausted;
}

KeyAuth Store::authenticate(std::string_view key_text, std::string_view family) {
  KeyAuth out;
  if (key_text.empty()) {
    out.problem = KeyProblem::kMissing;
    return out;
  }
  std::lock_guard lock(mutex_);
  auto id = key_ids_.find(std::string(key_text));
  if (id == key_ids_.end()) {
    out.problem = KeyProblem::kUnknown;
    return out;
  }
  ApiKey& key = keys_.at(id->second);
  if (std::find(key.families.begin(), key.families.end(), family) == key.families.end()) {
    out.problem = KeyProblem::kWrongFamily;
    return out;
  }
  refresh_status(key);
  key.accessed_time = clock_.now_s();
  switch (key.status) {
    case KeyStatus::kDisabled: out.problem = KeyProblem::kDisabled; break;
    case KeyStatus::kExpired: out.problem = KeyProblem::kExpired; break;
    case KeyStatus::kExhausted: out.problem = KeyProblem::kExhausted; break;
    case KeyStatus::kEnabled: break;
  }
  out.key = key;
  out.username = accounts_.at(key.account).username;
  return out;
}

RateDecision Store::admit(std::int64_t key_id) {
  std::lock_guard lock(mutex_);
  const std::int64_t bucket = clock_.now_ms() / 100;
  auto k = keys_.find(key_id);
  const std::int64_t limit = k == keys_.end() ? 0 : k->second.rate_limit_per_minute;
  Window& w = windows_[key_id];
  constexpr std::int64_t n = Window::kBuckets;
  // Retire the buckets that left the window since the last request.
  if (w.newest < 0 || bucket - w.newest >= n) {
    w.counts.fill(0);
    w.total = 0;
  } else {
    for (std::int64_t b = w.newest + 1; b <= bucket; ++b) {
      auto& c = w.counts[static_cast<std::size_t>(b % n)];
      w.total -= c;
      c = 0;
    }
  }
  w.newest = std::max(w.newest, bucket);
  RateDecision d;
  d.limit = limit;
  d.allowed = w.total < limit;
  if (d.allowed) {
    ++w.counts[static_cast<std::size_t>(bucket % n)];
    ++w.total;
  }
  d.remaining = std::max<std::int64_t>(0, limit - w.total);
  // When the oldest admitted request leaves the window (a slot frees).
  std::int64_t oldest = bucket;
  for (std::int64_t b = bucket - n + 1; b <= bucket; ++b)
    if (w.counts[static_cast<std::size_t>(((b % n) + n) % n)] > 0) {
      oldest = b;
      break;
    }
  d.reset_s = ((oldest + n) * 100 + 999) / 1000;
  return d;
}

CreditDecision Store::credits(std::int64_t account_id) const {
  std::lock_guard lock(mutex_);
  const std::int64_t day = clock_.now_s() / 86400;
  CreditDecision d;
  auto a = accounts_.find(account_id);
  d.limit = a == accounts_.end() ? 0 : a->second.aimichat_daily_credits;
  auto c = credits_.find(account_id);
  d.used = c != credits_.end() && c->second.day == day ? c->second.used : 0;
  d.reset_s = (day + 1) * 86400;
  d.allowed = d.used < d.limit;
  return d;
}

CreditDecision Store::use_credit(std::int64_t account_id) {
  std::lock_guard lock(mutex_);
  const std::int64_t day = clock_.now_s() / 86400;
  auto a = accounts_.find(account_id);
  CreditDecision d;
  d.limit = a == accounts_.end() ? 0 : a->second.aimichat_daily_credits;
  DailyCredits& c = credits_[account_id];
  if (c.day != day) c = {day, 0};
  d.reset_s = (day + 1) * 86400;
  d.allowed = c.used < d.limit;
  if (d.allowed) {
    ++c.used;
    if (db_) db_->save_credits(account_id, c.day, c.used);
  }
  d.used = c.used;
  return d;
}

ChargeResult Store::charge(std::int64_t key_id, const Charge& charge) {
  std::lock_guard lock(mutex_);
  auto k = keys_.find(key_id);
  if (k == keys_.end()) return ChargeResult::kKeyGone;
  ApiKey& key = k->second;
  Txn txn(db_);
  if (!debit(key, charge.quota)) return ChargeResult::kInsufficientQuota;
  add_log(LogType::kConsume, key.account, key.name, charge.model, charge.what, charge.quota, charge.prompt_tokens,
          charge.completion_tokens);
  return ChargeResult::kCharged;
}

bool Store::debit(ApiKey& key, std::int64_t quota) {
  Account& account = accounts_.at(key.account);
  if ((!key.unlimited_quota && key.remain_quota < quota) || account.quota < quota) return false;
  if (!key.unlimited_quota) key.remain_quota -= quota;
  key.used_quota += quota;
  account.quota -= quota;
  account.used_quota += quota;
  account.request_count += 1;
  refresh_status(key);  // reaching 0 exhausts the key for the next call
  if (db_) db_->save_key(key), db_->save_account(account);
  return true;
}

std::uint32_t Store::intern(const std::string& text) {
  auto it = string_ids_.find(text);
  if (it != string_ids_.end()) return it->second;
  strings_.push_back(text);
  return string_ids_.emplace(text, static_cast<std::uint32_t>(strings_.size() - 1)).first->second;
}

void Store::add_log(LogType type, std::int64_t account, const std::string& token_name, const std::string& model,
                    const std::string& content, std::int64_t quota, std::int64_t prompt_tokens,
                    std::int64_t completion_tokens) {
  LogEntry e;
  e.id = next_log_id_++;
  e.account = account;
  e.created_at = clock_.now_s();
  e.type = type;
  e.content = content;  // raw: a consume log's figures are added when logs are read
  e.username = accounts_.at(account).username;
  e.token_name = token_name;
  e.model_name = model;
  e.quota = quota;
  e.prompt_tokens = prompt_tokens;
  e.completion_tokens = completion_tokens;
  keep_log(e);
  if (db_) db_->save_log(e);
}

void Store::keep_log(const LogEntry& e) {
  StoredLog log;
  log.id = e.id;
  log.account = e.account;
  log.created_at = e.created_at;
  log.quota = e.quota;
  log.prompt_tokens = e.prompt_tokens;
  log.completion_tokens = e.completion_tokens;
  log.username = intern(e.username);
  log.token_name = intern(e.token_name);
  log.model_name = intern(e.model_name);
  log.content = intern(e.content);
  log.type = e.type;
  logs_.push_back(log);
  while (logs_.size() > max_logs_) logs_.pop_front();
}

LogEntry Store::expand(const StoredLog& log) const {
  LogEntry e;
  e.id = log.id;
  e.account = log.account;
  e.created_at = log.created_at;
  e.type = log.type;
  e.username = strings_[log.username];
  e.token_name = strings_[log.token_name];
  e.model_name = strings_[log.model_name];
  e.quota = log.quota;
  e.prompt_tokens = log.prompt_tokens;
  e.completion_tokens = log.completion_tokens;
  e.content = strings_[log.content];
  if (log.type == LogType::kConsume)
    e.content += ": " + std::to_string(log.prompt_tokens) + " prompt + " + std::to_string(log.completion_tokens) +
                 " completion tokens, " + std::to_string(log.quota) + " quota";
  return e;
}

std::optional<Account> Store::account_by_access_key(std::string_view access_key) const {
  if (access_key.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  for (const auto& [id, a] : accounts_)
    if (a.access_key == access_key) return a;
  return std::nullopt;
}

std::optional<Account> Store::account(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

std::vector<ApiKey> Store::keys_of(std::int64_t account, std::string_view keyword) const {
  std::lock_guard lock(mutex_);
  std::vector<ApiKey> out;
  for (const auto& [id, k] : keys_) {
    if (k.account != account) continue;
    if (!keyword.empty() && k.name.find(keyword) == std::string::npos) continue;
    ApiKey copy = k;
    refresh_status(copy);
    out.push_back(std::move(copy));
  }
  return out;
}

bool Store::delete_key(std::int64_t account, std::int64_t key_id) {
  std::lock_guard lock(mutex_);
  auto k = keys_.find(key_id);
  if (k == keys_.end() || k->second.account != account) return false;  // another account's key is "not found"
  Txn txn(db_);
  if (db_) db_->delete_key(key_id);
  add_log(LogType::kManage, account, k->second.name, "",
          "deleted API key '" + k->second.name + "' (id " + std::to_string(key_id) + ")");
  key_ids_.erase(k->second.key);
  windows_.erase(key_id);
  keys_.erase(k);
  return true;
}

std::optional<ApiKey> Store::edit_quota(std::int64_t account, std::int64_t key_id, std::int64_t remain_quota,
                                        std::optional<bool> unlimited) {
  std::lock_guard lock(mutex_);
  auto k = keys_.find(key_id);
  if (k == keys_.end() || k->second.account != account) return std::nullopt;
  ApiKey& key = k->second;
  const std::int64_t before = key.remain_quota;
  key.remain_quota = remain_quota;
  if (unlimited) key.unlimited_quota = *unlimited;
  if (key.status == KeyStatus::kExhausted && (key.unlimited_quota || key.remain_quota > 0))
    key.status = KeyStatus::kEnabled;  // refilled
  refresh_status(key);
  Txn txn(db_);
  if (db_) db_->save_key(key);
  add_log(LogType::kManage, account, key.name, "",
          "set remain_quota of '" + key.name + "' from " + std::to_string(before) + " to " +
              std::to_string(remain_quota) + (key.unlimited_quota ? " (unlimited)" : ""));
  return key;
}

LogPage Store::logs(std::int64_t account, const LogQuery& q) const {
  std::lock_guard lock(mutex_);
  LogPage page;
  const std::int64_t skip = (q.page - 1) * q.page_size;
  // Newest first.
  for (auto it = logs_.rbegin(); it != logs_.rend(); ++it) {
    const StoredLog& e = *it;
    if (e.account != account) continue;
    if (q.type != 0 && static_cast<int>(e.type) != q.type) continue;
    if (q.token_name && strings_[e.token_name] != *q.token_name) continue;
    if (q.model_name && strings_[e.model_name] != *q.model_name) continue;
    if (q.username && strings_[e.username] != *q.username) continue;
    if (q.start_s && e.created_at < *q.start_s) continue;
    if (q.end_s && e.created_at > *q.end_s) continue;
    if (page.total >= skip && page.total < skip + q.page_size) page.items.push_back(expand(e));
    ++page.total;
  }
  return page;
}

std::string Task::result_path(std::size_t n) const {
  return "/cdn/" + id + "/" + std::to_string(n) + "." + extension(images.at(n).format);
}

SubmitResult Store::submit_task(Task task, const std::string& what) {
  std::lock_guard lock(mutex_);
  advance_locked();  // tasks that are done no longer count against the limit
  auto k = keys_.find(task.key_id);
  if (k == keys_.end()) return SubmitResult::kKeyGone;
  ApiKey& key = k->second;
  if (active_[key.id] >= key.max_concurrent_tasks) return SubmitResult::kTooManyTasks;
  Txn txn(db_);
  if (!debit(key, task.quota)) return SubmitResult::kInsufficientQuota;
  add_log(LogType::kConsume, key.account, key.name, task.model, what + " (task " + task.id + ")", task.quota);
  task.account = key.account;
  task.key_name = key.name;
  task.state = TaskState::kQueued;
  ++active_[key.id];
  if (db_) db_->save_task(task);
  timeline_.emplace(task.start_ms, task.id);
  task_order_.push_back(task.id);
  tasks_.emplace(task.id, std::move(task));
  // Forget the oldest finished tasks beyond the bound.
  while (tasks_.size() > max_tasks_ && !task_order_.empty()) {
    auto it = tasks_.find(task_order_.front());
    if (it != tasks_.end() && !it->second.finished()) break;
    if (it != tasks_.end()) tasks_.erase(it);
    task_order_.pop_front();
  }
  return SubmitResult::kAccepted;
}

void Store::refund(const Task& task) {
  auto k = keys_.find(task.key_id);
  auto a = accounts_.find(task.account);
  if (a == accounts_.end()) return;
  if (k != keys_.end()) {
    ApiKey& key = k->second;
    if (!key.unlimited_quota) key.remain_quota += task.quota;
    key.used_quota -= task.quota;
    if (key.status == KeyStatus::kExhausted && (key.unlimited_quota || key.remain_quota > 0))
      key.status = KeyStatus::kEnabled;
    if (db_) db_->save_key(key);
  }
  a->second.quota += task.quota;
  a->second.used_quota -= task.quota;
  if (db_) db_->save_account(a->second);
  add_log(LogType::kRefund, task.account, task.key_name, task.model,
          "refund of task " + task.id + " (" + task.fail_code + "): " + std::to_string(task.quota) + " quota",
          task.quota);
}

std::vector<Task> Store::advance_locked() {
  std::vector<Task> finished;
  const std::int64_t now = clock_.now_ms();
  while (!timeline_.empty() && timeline_.begin()->first <= now) {
    const std::string id = timeline_.begin()->second;
    timeline_.erase(timeline_.begin());
    auto it = tasks_.find(id);
    if (it == tasks_.end()) continue;
    Task& t = it->second;
    if (t.state == TaskState::kQueued) {
      t.state = TaskState::kProcessing;
      timeline_.emplace(t.finish_ms, t.id);
      if (t.finish_ms > now) continue;
      timeline_.erase({t.finish_ms, t.id});
    }
    if (t.state != TaskState::kProcessing) continue;
    t.state = t.fail_code.empty() ? TaskState::kSucceeded : TaskState::kFailed;
    Txn txn(db_);
    if (t.state == TaskState::kFailed && t.quota > 0) refund(t);
    if (auto a = active_.find(t.key_id); a != active_.end() && --a->second <= 0) active_.erase(a);
    if (!t.callback_url.empty()) t.callback = CallbackState::kDue;
    if (db_) db_->save_task(t);
    finished.push_back(t);
  }
  return finished;
}

std::vector<Task> Store::advance_tasks() {
  std::lock_guard lock(mutex_);
  return advance_locked();
}

std::optional<Task> Store::task(std::string_view id) {
  std::lock_guard lock(mutex_);
  advance_locked();
  auto it = tasks_.find(std::string(id));
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

std::vector<Task> Store::tasks_of(std::int64_t account, std::string_view family, std::int64_t start_s,
                                  std::int64_t end_s) {
  std::lock_guard lock(mutex_);
  advance_locked();
  std::vector<Task> out;
  for (auto it = task_order_.rbegin(); it != task_order_.rend(); ++it) {
    auto t = tasks_.find(*it);
    if (t == tasks_.end() || t->second.account != account || t->second.family != family) continue;
    const std::int64_t s = t->second.created_ms / 1000;
    if (s >= start_s && s <= end_s) out.push_back(t->second);
  }
  return out;
}

std::int64_t Store::active_tasks(std::int64_t key_id) {
  std::lock_guard lock(mutex_);
  advance_locked();
  auto it = active_.find(key_id);
  return it == active_.end() ? 0 : it->second;
}

nlohmann::json Store::task_counts() const {
  std::lock_guard lock(mutex_);
  std::int64_t n[4] = {0, 0, 0, 0};
  for (const auto& [id, t] : tasks_) ++n[static_cast<int>(t.state)];
  return {{"queued", n[0]}, {"processing", n[1]}, {"succeeded", n[2]}, {"failed", n[3]}};
}

void Store::set_callback_state(const std::string& task_id, CallbackState state) {
  std::lock_guard lock(mutex_);
  if (auto it = tasks_.find(task_id); it != tasks_.end()) {
    it->second.callback = state;
    if (db_) db_->save_task(it->second);
  }
}

std::vector<Task> Store::due_callbacks() const {
  std::lock_guard lock(mutex_);
  std::vector<Task> out;
  for (const auto& id : task_order_)
    if (auto it = tasks_.find(id); it != tasks_.end() && it->second.callback == CallbackState::kDue)
      out.push_back(it->second);
  return out;
}

}  // namespace tollgate::mock
