#pragma once
// Small records for the store's unit tests: an account and its keys as a
// fixture would give them.
#include <string>

#include "mock-server/model/records.h"

namespace tollgate::test {

inline mock::Account account(std::int64_t id, std::int64_t quota, const std::string& username = "demo") {
  mock::Account a;
  a.id = id;
  a.username = username;
  a.access_key = username + "-access-key";
  a.quota = quota;
  return a;
}

inline mock::ApiKey key(std::int64_t id, std::int64_t account, std::int64_t remain_quota,
                        const std::string& name = "demo") {
  mock::ApiKey k;
  k.id = id;
  k.account = account;
  k.key = "sk-" + name;
  k.name = name;
  k.families = {"aiproxy"};
  k.remain_quota = remain_quota;
  return k;
}

}  // namespace tollgate::test
