#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "harness/http/request_log.h"
#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"

namespace tollgate::http {

using metrics::RunResult;

/// One line of live progress.
struct Progress {
  double elapsed_s = 0;
  double planned_s = 0;
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  std::int64_t in_flight = 0;
  double rps = 0;                 ///< over the last interval
  double p50_ms = 0, p99_ms = 0;  ///< latency over the last interval
};

/// The latency histograms of every step (scenario by scenario, step by
/// step) over one interval of the run.
struct IntervalHistograms {
  std::int64_t run_start_unix_ms = 0;
  double start_s = 0, end_s = 0;  ///< seconds after the run started
  std::vector<const metrics::Histogram*> steps;
  std::vector<std::int64_t> requests, errors;  ///< per step, in the interval
  std::int64_t in_flight = 0;                  ///< at its end
  /// Per step, of the streams that ended in it: TTFT and inter-token gaps
  /// (nullptr: none); its errors by kind and its checks.
  std::vector<const metrics::Histogram*> ttft, itl;
  const std::vector<std::array<std::int64_t, static_cast<int>(metrics::ErrorKind::kCount)>>* error_kinds = nullptr;
  const std::vector<std::int64_t>* checks_passed = nullptr;
  const std::vector<std::int64_t>* checks_failed = nullptr;
};

struct RunOptions {
  unsigned threads = 0;  ///< 0: one per core
  /// Called once a second from the calling thread.
  std::function<void(const Progress&)> on_progress;
  /// Called once a second (and for the last part-second) from the calling
  /// thread, e.g. to write an interval log as the run goes.
  std::function<void(const IntervalHistograms&)> on_interval;
  /// --requests: one line per request counted (request_log.h); the label
  /// names a series' step.
  RequestLog* requests = nullptr;
  std::string requests_label;
  /// --start-at: the run's clock starts at this instant (Unix ms), waited
  /// for, so segments started apart line up their intended times; one
  /// that comes after it starts at once and records how late it was
  /// (RunResult::start_late_ms). 0: at once.
  std::int64_t start_at_unix_ms = 0;
};

/// Runs every scenario of the plan concurrently (or one after the other:
/// Plan::one_after_another), one worker thread per core, and returns the merged measurements: scenario -> executor ->
/// engine -> check -> metrics. `stop` is watched: 1 stops scheduling and
/// lets in-flight requests finish within each scenario's graceful_stop
/// (the result is marked interrupted), 2 abandons them at once.
/// Throws std::runtime_error when the run cannot start (e.g. bad TLS files).
RunResult run_plan(const scenario::Plan& plan, const RunOptions& options, const std::atomic<int>& stop);

}  // namespace tollgate::http
