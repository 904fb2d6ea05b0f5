#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "mock-server/store/accounts.h"
#include "mock-server/store/log_book.h"
#include "mock-server/model/records.h"

namespace tollgate::mock {

class StateDb;

/// The quota a call costs: tokens times the model's USD prices per 1,000
/// tokens, in quota units (500,000 per USD), rounded up.
std::int64_t token_quota(const ModelSpec& model, std::int64_t prompt_tokens, std::int64_t completion_tokens);

/// Every change to quota and keys, each with its log line: charges (a
/// consume log), refunds (a refund log), quota edits and key deletions (a
/// manage log). Each is all or nothing: a charge that the key or its
/// account cannot cover takes nothing and logs nothing, and each change is
/// written to the state file in one transaction with its log. Not locked:
/// the Store's ledger lock guards it (see store.h).
class Ledger {
 public:
  Ledger(Accounts& accounts, LogBook& logs, StateDb* db = nullptr) : accounts_(accounts), logs_(logs), db_(db) {}

  /// Takes `charge.quota` from the key and its account, counts the request
  /// and writes a consume log; never more than the key and account have.
  ChargeResult charge(std::int64_t key_id, const Charge& charge);
  /// Gives a failed task's quota back to its account and its key (when the
  /// key still exists; an exhausted key is enabled again); a refund log.
  void refund(const Task& task);
  /// Sets a key's remaining quota (and unlimited flag); a refill enables an
  /// exhausted key. Nothing when `account` does not own the key.
  std::optional<ApiKey> set_quota(std::int64_t account, std::int64_t key_id, std::int64_t remain_quota,
                                  std::optional<bool> unlimited);
  /// Deletes a key of `account`; false when it owns no such key.
  bool delete_key(std::int64_t account, std::int64_t key_id);

 private:
  /// Takes `quota` from the key and its account, or nothing when either has less.
  bool debit(ApiKey& key, std::int64_t quota);
  void log(LogType type, std::int64_t account, const std::string& token_name, const std::string& model,
           const std::string& content, std::int64_t quota = 0, std::int64_t prompt_tokens = 0,
           std::int64_t completion_tokens = 0);

  Accounts& accounts_;
  LogBook& logs_;
  StateDb* db_;
};

}  // namespace tollgate::mock
