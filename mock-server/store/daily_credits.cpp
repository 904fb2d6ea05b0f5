#include "mock-server/store/daily_credits.h"

#include <algorithm>

namespace tollgate::mock {

void DailyCredits::set_limit(std::int64_t account, std::int64_t limit) {
  std::lock_guard lock(mutex_);
  accounts_[account].limit = limit;
}

void DailyCredits::restore(std::int64_t account, std::int64_t day, std::int64_t used) {
  std::lock_guard lock(mutex_);
  Today& t = accounts_[account];
  t.day = day;
  t.used = used;
}

CreditDecision DailyCredits::use(std::int64_t account) {
  std::lock_guard lock(mutex_);
  const std::int64_t day = clock_.now_s() / 86400;
  Today& t = accounts_[account];
  if (t.day != day) t.day = day, t.used = 0;
  CreditDecision d;
  d.limit = t.limit;
  d.day = day;
  d.reset_s = (day + 1) * 86400;
  d.allowed = t.used < t.limit;
  if (d.allowed) ++t.used;
  d.used = t.used;
  d.remaining = std::max<std::int64_t>(0, d.limit - d.used);
  return d;
}

CreditDecision DailyCredits::peek(std::int64_t account) const {
  std::lock_guard lock(mutex_);
  const std::int64_t day = clock_.now_s() / 86400;
  CreditDecision d;
  d.day = day;
  d.reset_s = (day + 1) * 86400;
  if (auto it = accounts_.find(account); it != accounts_.end()) {
    d.limit = it->second.limit;
    d.used = it->second.day == day ? it->second.used : 0;
  }
  d.allowed = d.used < d.limit;
  d.remaining = std::max<std::int64_t>(0, d.limit - d.used);
  return d;
}

}  // namespace tollgate::mock
