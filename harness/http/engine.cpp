#include "harness/http/engine.h"

#include <algorithm>
#include <set>
#include <thread>

#include "harness/http/worker.h"

namespace tollgate::http {
namespace {

using metrics::ScenarioResult;
using metrics::SeriesPoint;
using metrics::StepResult;

// The callback receiver, when a step waits for callbacks or hands out
// {{callback_url}}.
std::unique_ptr<flow::CallbackHub> make_hub(const scenario::Plan& plan, const Clock& clock) {
  if (!plan.uses_callbacks) return nullptr;
  std::set<std::string> pointers;
  for (const auto& s : plan.scenarios)
    for (const auto& st : s.steps)
      if (st.callback) pointers.insert(st.callback->pointer);
  auto hub = std::make_unique<flow::CallbackHub>(plan.callback_listen, plan.callback_public_url, pointers, clock);
  hub->start();
  return hub;
}

// Turns each merged point of the series into the run's time series, the
// interval callback (latency.hlog, live metrics) and the progress line.
class SeriesSink {
 public:
  SeriesSink(const RunOptions& options, RunResult& result, double planned_s)
      : options_(options), result_(result), planned_s_(planned_s) {}

  void operator()(const exec::Interval& iv) {
    const exec::IntervalData& d = *iv.data;
    SeriesPoint point;
    point.t_s = iv.end_s;
    point.length_s = iv.end_s - iv.start_s;
    point.in_flight = d.in_flight;
    IntervalHistograms ih;
    ih.run_start_unix_ms = result_.start_unix_ms;
    ih.start_s = iv.start_s;
    ih.end_s = iv.end_s;
    ih.requests = d.requests;
    ih.errors = d.errors;
    ih.in_flight = d.in_flight;
    ih.error_kinds = &d.error_kinds;
    ih.checks_passed = &d.checks_passed;
    ih.checks_failed = &d.checks_failed;
    metrics::Histogram all;
    std::int64_t requests = 0, errors = 0;
    for (std::size_t k = 0; k < d.latency_us.size(); ++k) {
      const auto& h = d.latency_us[k];
      all.add(h);
      ih.steps.push_back(&h);
      requests += d.requests[k];
      errors += d.errors[k];
      // A step's streams of the interval (none: it never streamed).
      const auto of = [k](const std::vector<std::optional<metrics::Histogram>>& v) -> const metrics::Histogram* {
        return k < v.size() && v[k] ? &*v[k] : nullptr;
      };
      ih.ttft.push_back(of(d.ttft_us));
      ih.itl.push_back(of(d.itl_us));
      point.steps.push_back(metrics::series_step(d.requests[k], d.errors[k], h, ih.ttft.back(), ih.itl.back()));
    }
    result_.series.push_back(std::move(point));
    if (options_.on_interval) options_.on_interval(ih);
    requests_ += requests;
    errors_ += errors;
    if (iv.last || !options_.on_progress) return;
    Progress p{iv.end_s, planned_s_, requests_, errors_, d.in_flight,
               iv.end_s > iv.start_s ? static_cast<double>(requests) / (iv.end_s - iv.start_s) : 0,
               static_cast<double>(all.value_at_percentile(50)) / 1000.0,
               static_cast<double>(all.value_at_percentile(99)) / 1000.0};
    options_.on_progress(p);
  }

 private:
  const RunOptions& options_;
  RunResult& result_;
  double planned_s_;
  std::int64_t requests_ = 0, errors_ = 0;
};

// Every worker's figures of each scenario and step, merged.
void merge_results(const scenario::Plan& plan, const std::vector<std::unique_ptr<Worker>>& workers, RunResult& result) {
  for (std::size_t si = 0; si < plan.scenarios.size(); ++si) {
    const auto& spec = plan.scenarios[si];
    ScenarioResult sr;
    sr.name = spec.name;
    sr.executor = scenario::executor_name(spec.executor);
    sr.target_rps = spec.target_rps() / plan.segment.count;  // a segment plans its share
    const double planned = std::chrono::duration<double>(spec.planned_duration()).count();
    sr.duration_s = planned > 0 ? std::min(result.duration_s, planned) : result.duration_s;
    for (std::size_t k = 0; k < spec.steps.size(); ++k) {
      StepResult step;
      step.name = spec.steps[k].name;
      step.operation = spec.steps[k].operation;
      step.method = spec.steps[k].method;
      step.path = spec.steps[k].path;
      for (const auto& w : workers) step.metrics.add(w->scenarios()[si]->steps[k]);
      sr.steps.push_back(std::move(step));
    }
    for (const auto& w : workers) {
      const auto& s = *w->scenarios()[si];
      sr.iterations += s.iterations;
      result.connections_opened += s.pool->connections_opened();
      if (s.open && !sr.steps.empty()) {  // the open model's late and missed sends count on its first step
        sr.steps.front().metrics.late += s.open->counts().late;
        sr.steps.front().metrics.missed += s.open->counts().missed;
      }
    }
    result.scenarios.push_back(std::move(sr));
  }
}

}  // namespace

RunResult run_plan(const scenario::Plan& plan, const RunOptions& options, const std::atomic<int>& stop) {
  if (plan.one_after_another && plan.scenarios.size() > 1) {
    RunResult all;
    RunOptions each = options;
    for (const auto& s : plan.scenarios) {  // once stopped, the rest are run stopped (counted as nothing sent)
      scenario::Plan one = plan;
      one.one_after_another = false;
      one.scenarios = {s};
      metrics::append_run(all, run_plan(one, each, stop));
      each.start_at_unix_ms = 0;  // --start-at: the first one waits for it
    }
    return all;
  }
  const Clock& clock = system_clock();
  const unsigned n = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  RunShared shared{plan, stop, clock, n, {}, {}, {}, nullptr, nullptr, options.requests, 0};
  std::size_t steps = 0;
  double planned_s = 0;
  for (const auto& s : plan.scenarios) {
    shared.iterations_left.push_back(std::make_unique<std::atomic<std::int64_t>>(scenario_segment(plan, s).share(s.iterations)));
    shared.iteration_seq.push_back(std::make_unique<std::atomic<std::int64_t>>(0));
    steps += s.steps.size();
    planned_s = std::max(planned_s, std::chrono::duration<double>(s.planned_duration()).count());
  }
  const auto hub = make_hub(plan, clock);
  shared.callbacks = hub.get();
  exec::Sampler sampler(static_cast<int>(n), steps);
  shared.sampler = &sampler;
  // Every worker starts from the same instant: 5 ms from now, or the
  // --start-at instant when that is later.
  const std::int64_t now_ms = clock.now_ms();
  std::int64_t wait_ms = 5, late_ms = 0;
  if (options.start_at_unix_ms > 0) {
    if (options.start_at_unix_ms - now_ms >= 5)
      wait_ms = options.start_at_unix_ms - now_ms;
    else
      late_ms = std::max<std::int64_t>(0, now_ms + 5 - options.start_at_unix_ms);
  }
  shared.start = clock.now() + std::chrono::milliseconds(wait_ms);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>(shared, i));

  RunResult result;
  result.start_unix_ms = now_ms + wait_ms;
  result.planned_start_unix_ms = options.start_at_unix_ms;
  result.start_late_ms = late_ms;
  result.info.segment_index = plan.segment.index;
  result.info.segment_count = plan.segment.count;
  if (options.requests)  // the times of its lines count from the workers' common start
    shared.requests_run = options.requests->begin_run(result.start_unix_ms, options.requests_label);
  for (auto& w : workers) w->start();
  sampler.run(SeriesSink(options, result, planned_s));
  for (auto& w : workers) w->join();
  if (hub) {
    hub->stop();
    result.callbacks_received = hub->received();
    result.callbacks_unmatched = hub->unmatched();
  }
  result.end_unix_ms = clock.now_ms();
  result.duration_s = std::chrono::duration<double>(clock.now() - shared.start).count();
  if (result.duration_s < 0) {  // stopped while waiting for --start-at: it never started
    result.duration_s = 0;
    result.start_unix_ms = result.end_unix_ms;
  }
  result.interrupted = stop.load() != 0;
  merge_results(plan, workers, result);
  return result;
}

}  // namespace tollgate::http
