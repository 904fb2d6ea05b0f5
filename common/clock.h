#pragma once
#include <chrono>
#include <cstdint>

namespace tollgate {

/// Time, injected, so that everything that depends on it (schedules,
/// timeouts, rate windows, expiry, daily resets) is tested exactly on a
/// fake clock (tests/support/fake_clock.h). It tells two times: the wall
/// clock, for what is shown as a date or compared with one (Unix
/// milliseconds), and a monotonic clock, for what is measured and
/// scheduled (it never jumps).
class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  /// Milliseconds since the Unix epoch.
  virtual std::int64_t now_ms() const = 0;
  /// The monotonic time.
  virtual TimePoint now() const = 0;
  std::int64_t now_s() const { return now_ms() / 1000; }
};

/// The real clocks: std::chrono's system and steady clocks.
class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

/// The process's real clock (it holds no state, so one serves everyone).
const Clock& system_clock();

}  // namespace tollgate
