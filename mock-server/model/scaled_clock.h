#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace tollgate::mock {

/// The real clock run `scale` times faster from the moment it is made,
/// plus an offset that can be moved forward (the mock's time travel,
/// POST /_mock/clock). Both of its times move alike. Thread-safe.
class ScaledClock final : public Clock {
 public:
  explicit ScaledClock(double scale = 1.0)
      : scale_(scale), wall_origin_(system_clock().now_ms()), steady_origin_(system_clock().now()) {}

  std::int64_t now_ms() const override {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(scaled_elapsed()).count();
    return wall_origin_ + elapsed + offset_ms();
  }
  TimePoint now() const override { return steady_origin_ + scaled_elapsed() + std::chrono::milliseconds(offset_ms()); }

  void advance(std::chrono::milliseconds d) { offset_.fetch_add(d.count()); }
  double scale() const { return scale_; }

 private:
  Duration scaled_elapsed() const {
    const auto real = system_clock().now() - steady_origin_;
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double, Duration::period>(
        static_cast<double>(real.count()) * scale_));
  }
  std::int64_t offset_ms() const { return offset_.load(); }

  const double scale_;
  const std::int64_t wall_origin_;
  const TimePoint steady_origin_;
  std::atomic<std::int64_t> offset_{0};
};

}  // namespace tollgate::mock
