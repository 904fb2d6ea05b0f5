#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "mock-server/model/records.h"

namespace tollgate::mock {

/// The accounts and their API keys: lookups, authentication and the key
/// status that moves lazily with the clock and the quota. Not locked: the
/// Store's ledger lock guards it (see store.h).
class Accounts {
 public:
  explicit Accounts(const Clock& clock) : clock_(clock) {}

  /// Takes the fixture's accounts and keys.
  void seed(const Fixture& fixture);
  void add(Account account) { accounts_[account.id] = std::move(account); }
  void add(ApiKey key);

  /// Checks an API key for `family`, moving its status lazily (past its
  /// expired_time it becomes expired, with no quota left exhausted) and
  /// noting the access time; a snapshot of the key and its account's name.
  KeyAuth authenticate(std::string_view key, std::string_view family);

  ApiKey* key(std::int64_t id);
  /// The key when `account` owns it; another account's key is "not found".
  ApiKey* key_of(std::int64_t account, std::int64_t key_id);
  Account* account(std::int64_t id);
  const Account* account(std::int64_t id) const;
  /// The account whose System API access key this is.
  const Account* by_access_key(std::string_view access_key) const;
  /// An account's keys whose name holds `keyword` ("" all), status as of now.
  std::vector<ApiKey> keys_of(std::int64_t account, std::string_view keyword) const;
  /// Forgets a key; false when there is none.
  bool remove(std::int64_t key_id);

  const std::map<std::int64_t, Account>& accounts() const { return accounts_; }
  const std::map<std::int64_t, ApiKey>& keys() const { return keys_; }

  /// Expired past its expired_time, exhausted at no quota (an enabled key only).
  void refresh_status(ApiKey& key) const;
  /// An exhausted key that has quota again is enabled (a refill, a refund).
  static void enable_if_refilled(ApiKey& key);

 private:
  const Clock& clock_;
  std::map<std::int64_t, Account> accounts_;
  std::map<std::int64_t, ApiKey> keys_;
  std::unordered_map<std::string, std::int64_t> key_ids_;  ///< key string -> id
};

}  // namespace tollgate::mock
