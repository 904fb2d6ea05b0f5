#pragma once
// A capacity-search or sweep scenario run as its series of steps, one
// after the other: each step the scenario at one rate (or number of VUs)
// for step_duration, run by the engine like any scenario, judged on its
// own figures (the SLO thresholds), marked invalid when the harness could
// not offer it. The result holds every step as a scenario of its own
// ("chat @ 40/s", with its own histograms) and the search's account of
// them (RunResult::search).
#include <atomic>
#include <functional>

#include "harness/http/engine.h"

namespace tollgate::search {

/// Whether the plan is a series (its one scenario is a capacity-search or sweep).
bool is_series(const scenario::Plan& plan);

/// Runs the series; `on_step` is told of each step as it ends. Stops
/// between steps when `stop` is set.
metrics::RunResult run_series(const scenario::Plan& plan, const http::RunOptions& options, const std::atomic<int>& stop,
                              const std::function<void(const metrics::SearchStep&)>& on_step = {});

}  // namespace tollgate::search
