#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace tollgate::test {

/// A clock that moves only when told to: its wall and monotonic times move
/// together, by exactly what `advance` says. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ms = 1'700'000'000'000) : wall_ms_(start_ms) {}

  std::int64_t now_ms() const override { return wall_ms_.load() + elapsed_ns_.load() / 1'000'000; }
  TimePoint now() const override { return TimePoint(std::chrono::nanoseconds(kSteadyStart + elapsed_ns_.load())); }

  /// Moves both times forward.
  void advance(std::chrono::nanoseconds d) { elapsed_ns_.fetch_add(d.count()); }
  /// Moves the monotonic time to `t` (never back); the wall clock follows.
  void advance_to(TimePoint t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() - kSteadyStart;
    if (ns > elapsed_ns_.load()) elapsed_ns_.store(ns);
  }
  /// Sets the wall clock (the monotonic time does not jump).
  void set_ms(std::int64_t ms) { wall_ms_.store(ms - elapsed_ns_.load() / 1'000'000); }

 private:
  static constexpr std::int64_t kSteadyStart = 1'000'000'000'000;  // an arbitrary monotonic origin, 1000 s
  std::atomic<std::int64_t> wall_ms_;
  std::atomic<std::int64_t> elapsed_ns_{0};
};

}  // namespace tollgate::test
