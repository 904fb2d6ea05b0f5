#include "mock-server/store/rate_limiter.h"

#include <algorithm>

namespace tollgate::mock {

void RateLimiter::slide(Window& w, std::int64_t bucket) {
  constexpr std::int64_t n = Window::kBuckets;
  if (w.newest < 0 || bucket - w.newest >= n) {  // idle for a whole window: it starts over
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
}

std::int64_t RateLimiter::oldest(const Window& w, std::int64_t bucket) {
  constexpr std::int64_t n = Window::kBuckets;
  for (std::int64_t b = bucket - n + 1; b <= bucket; ++b)
    if (w.counts[static_cast<std::size_t>(((b % n) + n) % n)] > 0) return b;
  return bucket;
}

RateDecision RateLimiter::admit(std::int64_t key_id, std::int64_t limit) {
  constexpr std::int64_t n = Window::kBuckets;
  std::lock_guard lock(mutex_);
  const std::int64_t bucket = clock_.now_ms() / 100;  // read under the lock: buckets only move forward
  Window& w = windows_[key_id];
  slide(w, bucket);
  RateDecision d;
  d.limit = limit;
  d.allowed = w.total < limit;
  if (d.allowed) {
    ++w.counts[static_cast<std::size_t>(bucket % n)];
    ++w.total;
  }
  d.remaining = std::max<std::int64_t>(0, limit - w.total);
  // The oldest admitted request's bucket leaves the window n buckets later.
  d.reset_s = ((oldest(w, bucket) + n) * 100 + 999) / 1000;
  return d;
}

void RateLimiter::forget(std::int64_t key_id) {
  std::lock_guard lock(mutex_);
  windows_.erase(key_id);
}

}  // namespace tollgate::mock
