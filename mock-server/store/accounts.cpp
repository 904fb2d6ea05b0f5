#include "mock-server/store/accounts.h"

#include <algorithm>

namespace tollgate::mock {

void Accounts::seed(const Fixture& fixture) {
  for (const auto& a : fixture.accounts) add(Account{a});
  for (const auto& k : fixture.keys) add(ApiKey{k});
}

void Accounts::add(ApiKey key) {
  key_ids_[key.key] = key.id;
  keys_[key.id] = std::move(key);
}

void Accounts::refresh_status(ApiKey& key) const {
  if (key.status != KeyStatus::kEnabled) return;
  if (key.expired_time != -1 && clock_.now_s() > key.expired_time)
    key.status = KeyStatus::kExpired;
  else if (!key.unlimited_quota && key.remain_quota <= 0)
    key.status = KeyStatus::kExhausted;
}

void Accounts::enable_if_refilled(ApiKey& key) {
  if (key.status == KeyStatus::kExhausted && (key.unlimited_quota || key.remain_quota > 0))
    key.status = KeyStatus::kEnabled;
}

KeyAuth Accounts::authenticate(std::string_view key_text, std::string_view family) {
  KeyAuth out;
  if (key_text.empty()) {
    out.problem = KeyProblem::kMissing;
    return out;
  }
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

ApiKey* Accounts::key(std::int64_t id) {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

ApiKey* Accounts::key_of(std::int64_t account, std::int64_t key_id) {
  ApiKey* k = key(key_id);
  return k && k->account == account ? k : nullptr;
}

Account* Accounts::account(std::int64_t id) {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

const Account* Accounts::account(std::int64_t id) const {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

const Account* Accounts::by_access_key(std::string_view access_key) const {
  if (access_key.empty()) return nullptr;
  for (const auto& [id, a] : accounts_)
    if (a.access_key == access_key) return &a;
  return nullptr;
}

std::vector<ApiKey> Accounts::keys_of(std::int64_t account, std::string_view keyword) const {
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

bool Accounts::remove(std::int64_t key_id) {
  auto k = keys_.find(key_id);
  if (k == keys_.end()) return false;
  key_ids_.erase(k->second.key);
  keys_.erase(k);
  return true;
}

}  // namespace tollgate::mock
