#pragma once
#include <string>
#include <vector>

#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"

namespace tollgate::check {

struct ThresholdResult {
  std::string expr;
  bool passed = false;
  double actual = 0;  ///< the metric's value, in the threshold's unit (ms, fraction, count)
};

/// The value of `metric` over `m` (a step, a scenario total or the run
/// total): latency.* and service_time.* in milliseconds, *.rate as
/// fractions, counts as counts. Rates compare `iterations` (requests of a
/// scenario's first step) over `duration_s` with `target_rps`.
double metric_value(const std::string& metric, const metrics::StepMetrics& m, double target_rps, double duration_s,
                    std::int64_t iterations);

/// Evaluates each threshold over its scope of the run.
std::vector<ThresholdResult> evaluate(const std::vector<scenario::Threshold>& thresholds, const http::RunResult& run);

}  // namespace tollgate::check
