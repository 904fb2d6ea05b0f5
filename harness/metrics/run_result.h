#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/metrics/step_metrics.h"
#include "harness/scenario/scenario.h"

namespace tollgate::http {

struct StepResult {
  std::string name;
  std::string operation;
  std::string method;
  std::string path;
  metrics::StepMetrics metrics;
};

struct ScenarioResult {
  std::string name;
  scenario::Executor executor;
  double target_rps = 0;   ///< open model: the planned average rate
  double duration_s = 0;   ///< how long it sent
  std::int64_t iterations = 0;
  std::vector<StepResult> steps;
  metrics::StepMetrics total() const;
};

/// One step's figures over one interval of the time series.
struct SeriesStep {
  std::int64_t requests = 0, errors = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;  ///< latency from the intended time
};

/// One second of the run, as it happened (wall clock).
struct SeriesPoint {
  double t_s = 0;                ///< end of the interval, seconds after the start
  double length_s = 0;           ///< how long the interval was
  std::int64_t in_flight = 0;    ///< requests in flight at its end
  std::vector<SeriesStep> steps; ///< every step of every scenario, in order
};

/// What a run measured, merged over every worker.
struct RunResult {
  std::vector<ScenarioResult> scenarios;
  bool interrupted = false;
  double duration_s = 0;
  std::int64_t start_unix_ms = 0;
  std::int64_t end_unix_ms = 0;
  std::uint64_t connections_opened = 0;
  std::int64_t callbacks_received = 0;   ///< by the callback receiver, matched or not
  std::int64_t callbacks_unmatched = 0;  ///< received but claimed by no step
  std::vector<SeriesPoint> series;       ///< per second, every step
};

}  // namespace tollgate::http
