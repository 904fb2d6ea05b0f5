#pragma once
#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"
#include "mock-server/store/limit_decision.h"

namespace tollgate::mock {

/// One request's rate decision; `reset_s` is when the oldest admitted
/// request leaves the window (a slot frees).
using RateDecision = LimitDecision;

/// A sliding one-minute window per key, counted in 100 ms buckets on the
/// injected clock: a request is admitted when fewer than the limit were
/// admitted in its own bucket and the 600 before it. No 60-second span
/// ever admits more than the limit (a clock-aligned fixed window would let
/// a burst through twice); a slot frees between 60.0 and 60.1 s after its
/// request. Has its own lock: it touches nothing else (see store.h).
class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}

  /// Admits one request of `key_id` under `limit` per minute, or refuses it
  /// (a refusal does not count against the window).
  RateDecision admit(std::int64_t key_id, std::int64_t limit);
  /// Drops a key's window (the key was deleted).
  void forget(std::int64_t key_id);

 private:
  struct Window {
    static constexpr int kBuckets = 601;  ///< 100 ms each: a minute and the current bucket
    std::array<std::int32_t, kBuckets> counts{};
    std::int64_t newest = -1;  ///< the newest bucket number written (ms / 100)
    std::int64_t total = 0;    ///< admitted in the buckets of the window
  };
  /// Retires the buckets that left the window since the last request.
  static void slide(Window& w, std::int64_t bucket);
  /// The bucket of the oldest request still in the window (`bucket` when none).
  static std::int64_t oldest(const Window& w, std::int64_t bucket);

  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, Window> windows_;  ///< key id -> its last minute
};

}  // namespace tollgate::mock
