#include "mock-server/store/ledger.h"

#include <cmath>

#include "mock-server/state/state_db.h"

namespace tollgate::mock {

std::int64_t token_quota(const ModelSpec& model, std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  const double usd = (static_cast<double>(prompt_tokens) * model.price_input +
                      static_cast<double>(completion_tokens) * model.price_output) /
                     1000.0;
  return static_cast<std::int64_t>(std::ceil(usd * static_cast<double>(kQuotaPerUsd) - 1e-9));
}

void Ledger::log(LogType type, std::int64_t account, const std::string& token_name, const std::string& model,
                 const std::string& content, std::int64_t quota, std::int64_t prompt_tokens,
                 std::int64_t completion_tokens) {
  LogEntry e;
  e.account = account;
  e.type = type;
  e.content = content;  // raw: a consume log's figures are added when logs are read
  e.username = accounts_.account(account)->username;
  e.token_name = token_name;
  e.model_name = model;
  e.quota = quota;
  e.prompt_tokens = prompt_tokens;
  e.completion_tokens = completion_tokens;
  logs_.add(std::move(e));
}

bool Ledger::debit(ApiKey& key, std::int64_t quota) {
  Account& account = *accounts_.account(key.account);
  if ((!key.unlimited_quota && key.remain_quota < quota) || account.quota < quota) return false;
  if (!key.unlimited_quota) key.remain_quota -= quota;
  key.used_quota += quota;
  account.quota -= quota;
  account.used_quota += quota;
  account.request_count += 1;
  accounts_.refresh_status(key);  // reaching 0 exhausts the key for the next call
  if (db_) db_->save_key(key), db_->save_account(account);
  return true;
}

ChargeResult Ledger::charge(std::int64_t key_id, const Charge& charge) {
  ApiKey* key = accounts_.key(key_id);
  if (!key) return ChargeResult::kKeyGone;
  StateTxn txn(db_);
  if (!debit(*key, charge.quota)) return ChargeResult::kInsufficientQuota;
  log(LogType::kConsume, key->account, key->name, charge.model, charge.what, charge.quota, charge.prompt_tokens,
      charge.completion_tokens);
  return ChargeResult::kCharged;
}

void Ledger::refund(const Task& task) {
  Account* account = accounts_.account(task.account);
  if (!account) return;
  StateTxn txn(db_);
  if (ApiKey* key = accounts_.key(task.key_id)) {
    if (!key->unlimited_quota) key->remain_quota += task.quota;
    key->used_quota -= task.quota;
    Accounts::enable_if_refilled(*key);
    if (db_) db_->save_key(*key);
  }
  account->quota += task.quota;
  account->used_quota -= task.quota;
  if (db_) db_->save_account(*account);
  log(LogType::kRefund, task.account, task.key_name, task.model,
      "refund of task " + task.id + " (" + task.fail_code + "): " + std::to_string(task.quota) + " quota",
      task.quota);
}

std::optional<ApiKey> Ledger::set_quota(std::int64_t account, std::int64_t key_id, std::int64_t remain_quota,
                                        std::optional<bool> unlimited) {
  ApiKey* key = accounts_.key_of(account, key_id);
  if (!key) return std::nullopt;
  const std::int64_t before = key->remain_quota;
  key->remain_quota = remain_quota;
  if (unlimited) key->unlimited_quota = *unlimited;
  Accounts::enable_if_refilled(*key);
  accounts_.refresh_status(*key);
  StateTxn txn(db_);
  if (db_) db_->save_key(*key);
  log(LogType::kManage, account, key->name, "",
      "set remain_quota of '" + key->name + "' from " + std::to_string(before) + " to " +
          std::to_string(remain_quota) + (key->unlimited_quota ? " (unlimited)" : ""));
  return *key;
}

bool Ledger::delete_key(std::int64_t account, std::int64_t key_id) {
  const ApiKey* key = accounts_.key_of(account, key_id);
  if (!key) return false;
  StateTxn txn(db_);
  if (db_) db_->delete_key(key_id);
  log(LogType::kManage, account, key->name, "",
      "deleted API key '" + key->name + "' (id " + std::to_string(key_id) + ")");
  accounts_.remove(key_id);
  return true;
}

}  // namespace tollgate::mock
