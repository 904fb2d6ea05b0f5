#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "harness/metrics/histogram.h"

namespace tollgate::metrics {

/// How a request failed. Every failure is counted under exactly one kind.
enum class ErrorKind : int { kNone = 0, kConnect, kTls, kTimeout, kReset, kProtocol, kStatus, kCheck, kCount };

const char* error_kind_name(ErrorKind kind);

/// Everything measured for one step of one scenario (on one worker, or
/// merged). Histograms hold microseconds.
struct StepMetrics {
  Histogram latency_us;       ///< from the intended send time (coordinated omission corrected)
  Histogram service_time_us;  ///< from the actual send
  std::int64_t requests = 0;  ///< completed, failed or not
  std::array<std::int64_t, 600> status{};  ///< by HTTP status code
  std::array<std::int64_t, static_cast<int>(ErrorKind::kCount)> errors{};
  std::int64_t bytes_in = 0;
  std::int64_t bytes_out = 0;
  std::int64_t late = 0;    ///< sent after their intended time because the cap or the target held them back
  std::int64_t missed = 0;  ///< scheduled but never sent before the run ended
  std::int64_t checks_passed = 0;
  std::int64_t checks_failed = 0;

  std::int64_t error_count() const;
  void add(const StepMetrics& other);
};

}  // namespace tollgate::metrics
