#include "harness/search/series_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/check/thresholds.h"
#include "harness/search/rate_search.h"

namespace tollgate::search {
namespace {

using metrics::RunResult;
using metrics::SearchStep;

/// Runs one step and judges it; appends its scenario to `all`.
SearchStep run_step(const scenario::Plan& plan, const http::RunOptions& options, const std::atomic<int>& stop,
                    double rate, int vus, RunResult& all) {
  const scenario::Scenario& spec = plan.scenarios[0];
  const scenario::Series& series = *spec.series;
  scenario::Plan p = plan;
  scenario::Scenario& s = p.scenarios[0];
  s.series.reset();
  s.duration = series.step_duration;
  if (vus > 0) {
    s.executor = scenario::Executor::kConstantVus;
    s.vus = vus;
  } else {
    s.executor = scenario::Executor::kConstantArrivalRate;
    s.rate = rate;
  }
  SearchStep step;
  step.offered_rps = vus > 0 ? 0 : rate;
  step.vus = vus;
  http::RunOptions step_options = options;
  step_options.requests_label = step.label();
  if (!all.scenarios.empty()) step_options.start_at_unix_ms = 0;  // --start-at: the first step waits for it
  RunResult r = http::run_plan(p, step_options, stop);
  const metrics::ScenarioResult& sr = r.scenarios.at(0);
  const metrics::StepMetrics total = sr.total();
  const metrics::StepMetrics& first = sr.steps.at(0).metrics;
  step.achieved_rps = sr.duration_s > 0 ? static_cast<double>(first.requests) / sr.duration_s : 0;
  // Judged with the scenario's own name, so a scoped SLO ("chat: ...") applies.
  step.slo = check::evaluate(series.slo, r);
  char why[160];
  if (vus == 0 && step.achieved_rps < series.min_achieved * rate) {
    std::snprintf(why, sizeof why, "achieved %.4g/s of %.4g/s offered (under %.3g%%)", step.achieved_rps, rate,
                  100 * series.min_achieved);
    step.valid = false;
    step.invalid_reason = why;
  }
  const double scheduled = static_cast<double>(first.requests + first.missed);
  // More than max_late of the sends late, and more than 2 (a step's first
  // sends may wait for their connections: that is not a rate held back).
  const double late = static_cast<double>(first.late);
  if (step.valid && vus == 0 && scheduled > 0 && late > std::max(series.max_late * scheduled, 2.0)) {
    std::snprintf(why, sizeof why, "%lld of %lld sends late (over %.3g%%)", static_cast<long long>(first.late),
                  static_cast<long long>(scheduled), 100 * series.max_late);
    step.valid = false;
    step.invalid_reason = why;
  }
  if (r.interrupted) {
    step.valid = false;
    step.invalid_reason = "interrupted";
  }
  step.passed = step.valid;
  for (const auto& t : step.slo) step.passed = step.passed && t.passed;
  if (spec.goodput.any())
    step.goodput_rps = sr.duration_s > 0 ? static_cast<double>(total.good) / sr.duration_s : 0;
  step.p99_ms = total.latency_us.total_count() ? static_cast<double>(total.latency_us.value_at_percentile(99)) / 1000 : 0;
  if (total.stream && total.stream->ttft_us.total_count())
    step.ttft_p99_ms = static_cast<double>(total.stream->ttft_us.value_at_percentile(99)) / 1000;
  // Into the whole run: the step's scenario under its own name, its time
  // series after the steps before it.
  step.scenario = all.scenarios.size();
  r.scenarios.at(0).name = spec.name + " @ " + step.label();
  metrics::append_run(all, std::move(r));
  return step;
}

}  // namespace

bool is_series(const scenario::Plan& plan) { return plan.scenarios.size() == 1 && plan.scenarios[0].series; }

RunResult run_series(const scenario::Plan& plan, const http::RunOptions& options, const std::atomic<int>& stop,
                     const std::function<void(const SearchStep&)>& on_step) {
  const scenario::Scenario& spec = plan.scenarios.at(0);
  const scenario::Series& series = *spec.series;
  RunResult all;
  metrics::SearchResult result;
  result.kind = series.kind == scenario::Series::Kind::kSearch ? "capacity-search" : "sweep";
  result.scenario = spec.name;
  for (const auto& t : series.slo) result.slo.push_back(t.text);
  auto one = [&](double rate, int vus) {
    SearchStep step = run_step(plan, options, stop, rate, vus, all);
    if (on_step) on_step(step);
    result.steps.push_back(step);
    return step.passed;
  };
  if (series.kind == scenario::Series::Kind::kSearch) {
    RateSearch search(series.start_rate, series.max_rate, series.precision, series.growth, series.max_steps);
    while (const auto rate = search.next()) {
      if (stop.load() != 0) break;
      search.record(*rate, one(*rate, 0));
    }
    result.capacity_rps = search.capacity();
    result.failed_rps = search.lowest_failed();
    result.conclusion = stop.load() != 0 ? "interrupted: " + search.conclusion() : search.conclusion();
  } else {
    for (double rate : series.rates) {
      if (stop.load() != 0) break;
      one(rate, 0);
    }
    for (int vus : series.concurrencies) {
      if (stop.load() != 0) break;
      one(0, vus);
    }
    int passed = 0, invalid = 0;
    for (const auto& s : result.steps) passed += s.passed, invalid += !s.valid;
    result.conclusion = std::to_string(passed) + " of " + std::to_string(result.steps.size()) + " steps met the SLO" +
                        (invalid ? ", " + std::to_string(invalid) + " invalid (the harness could not offer them)" : "");
  }
  all.search = std::move(result);
  return all;
}

}  // namespace tollgate::search
