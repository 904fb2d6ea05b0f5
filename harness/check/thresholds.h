#pragma once
#include <string>
#include <vector>

#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"

namespace tollgate::check {

using metrics::ThresholdResult;

/// The value of `metric` over `m` (a step, a scenario total or the run
/// total): latency.* and service_time.* in milliseconds, *.rate as
/// fractions, counts as counts. Rates compare `iterations` (requests of a
/// scenario's first step) over `duration_s` with `target_rps`.
double metric_value(const std::string& metric, const metrics::StepMetrics& m, double target_rps, double duration_s,
                    std::int64_t iterations);

/// Judges a run's thresholds again on its own figures (a run read back from
/// its summary, or merged): each expression is parsed anew. Throws
/// SourceError at `file` for one that does not parse.
std::vector<ThresholdResult> evaluate_again(const metrics::RunResult& run, const std::string& file);

/// Evaluates each threshold over its scope of the run.
std::vector<ThresholdResult> evaluate(const std::vector<scenario::Threshold>& thresholds, const metrics::RunResult& run);

}  // namespace tollgate::check
