#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

namespace tollgate {

/// Wall-clock time, injected so that logic that depends on it (rate
/// windows, expiry, daily resets, schedules) is tested exactly.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Milliseconds since the Unix epoch.
  virtual std::int64_t now_ms() const = 0;
  std::int64_t now_s() const { return now_ms() / 1000; }
};

/// The real clock.
class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// A clock that moves only when told to; thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_.load(); }
  void set_ms(std::int64_t ms) { now_.store(ms); }
  void advance(std::chrono::milliseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_;
};

/// The real clock run `scale` times faster from the moment it is made,
/// plus an offset that can be moved forward (a mock's time travel).
/// Thread-safe.
class ScaledClock final : public Clock {
 public:
  explicit ScaledClock(double scale = 1.0) : scale_(scale), origin_(real_ms()) {}
  std::int64_t now_ms() const override {
    return origin_ + static_cast<std::int64_t>(static_cast<double>(real_ms() - origin_) * scale_) + offset_.load();
  }
  void advance(std::chrono::milliseconds d) { offset_.fetch_add(d.count()); }
  double scale() const { return scale_; }

 private:
  static std::int64_t real_ms() { return SystemClock().now_ms(); }
  const double scale_;
  const std::int64_t origin_;
  std::atomic<std::int64_t> offset_{0};
};

}  // namespace tollgate
