#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"

namespace tollgate::http {

/// One line of live progress.
struct Progress {
  double elapsed_s = 0;
  double planned_s = 0;
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  std::int64_t in_flight = 0;
  double rps = 0;          ///< over the last interval
  double p50_ms = 0, p99_ms = 0;  ///< latency over the last interval
};

struct RunOptions {
  unsigned threads = 0;  ///< 0: one per core
  /// Called about once a second from the calling thread.
  std::function<void(const Progress&)> on_progress;
};

/// Runs every scenario of the plan concurrently and returns the merged
/// measurements. `stop` is watched: 1 stops scheduling and lets in-flight
/// requests finish within each scenario's graceful_stop (the result is
/// marked interrupted), 2 abandons them at once.
/// Throws std::runtime_error when the run cannot start (e.g. bad TLS files).
RunResult run_plan(const scenario::Plan& plan, const RunOptions& options, const std::atomic<int>& stop);

}  // namespace tollgate::http
