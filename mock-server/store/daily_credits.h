#pragma once
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"
#include "mock-server/store/limit_decision.h"

namespace tollgate::mock {

/// An account's AimiChat credits today; `reset_s` is the next 00:00 UTC.
struct CreditDecision : LimitDecision {
  std::int64_t used = 0;
  std::int64_t day = 0;  ///< days since the epoch (UTC) the figures are of
};

/// AimiChat's per-account daily credits, shared by the account's keys and
/// reset at 00:00 UTC on the injected clock. Each account's daily limit is
/// given once (it never changes while the mock runs). Has its own lock: it
/// touches nothing else (see store.h).
class DailyCredits {
 public:
  explicit DailyCredits(const Clock& clock) : clock_(clock) {}

  void set_limit(std::int64_t account, std::int64_t limit);
  /// What a state file says was used on `day`.
  void restore(std::int64_t account, std::int64_t day, std::int64_t used);

  /// Uses one credit of today, or refuses when none is left.
  CreditDecision use(std::int64_t account);
  /// Today's figures without using a credit.
  CreditDecision peek(std::int64_t account) const;

 private:
  struct Today {
    std::int64_t limit = 0;
    std::int64_t day = -1;
    std::int64_t used = 0;
  };

  const Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Today> accounts_;
};

}  // namespace tollgate::mock
