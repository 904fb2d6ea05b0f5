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
};

}  // namespace tollgate::http
