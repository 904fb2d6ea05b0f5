#include "harness/check/thresholds.h"

#include <cmath>
#include <limits>
#include <set>

namespace tollgate::check {

double metric_value(const std::string& metric, const metrics::StepMetrics& m, double target_rps, double duration_s,
                    std::int64_t iterations) {
  const auto stat_of = [&](const metrics::Histogram& h, const std::string& stat, double unit) -> double {
    if (h.total_count() == 0) return std::numeric_limits<double>::quiet_NaN();  // no data: fails
    if (stat == "p50") return h.value_at_percentile(50) / unit;
    if (stat == "p90") return h.value_at_percentile(90) / unit;
    if (stat == "p95") return h.value_at_percentile(95) / unit;
    if (stat == "p99") return h.value_at_percentile(99) / unit;
    if (stat == "p999") return h.value_at_percentile(99.9) / unit;
    if (stat == "min") return h.min() / unit;
    if (stat == "max") return h.max() / unit;
    return h.mean() / unit;
  };
  const auto percentile = [&](const metrics::Histogram& h, const std::string& stat) { return stat_of(h, stat, 1000.0); };
  const auto dot = metric.find('.');
  const std::string family = metric.substr(0, dot), stat = dot == std::string::npos ? "" : metric.substr(dot + 1);
  if (m.stream) {
    const auto& sm = *m.stream;
    if (family == "ttft") return percentile(sm.ttft_us, stat);
    if (family == "itl") return percentile(sm.itl_us, stat);
    if (family == "tpot") return percentile(sm.tpot_us, stat);
    if (family == "e2e") return percentile(sm.e2e_us, stat);
    if (family == "tokens_per_s") return stat_of(sm.tokens_per_s, stat, 1.0);
    if (metric == "tokens.output") return static_cast<double>(sm.output_tokens);
  }
  if (m.flow) {
    const auto& fm = *m.flow;
    if (family == "poll") return percentile(fm.poll_us, stat);
    if (family == "callback") return percentile(fm.callback_us, stat);
    if (metric == "callbacks.missed") return static_cast<double>(fm.callbacks_missed);
    if (metric == "polls.timed_out") return static_cast<double>(fm.polls_timed_out);
  }
  static const std::set<std::string> kNeedData = {"ttft", "itl", "tpot", "e2e", "tokens_per_s", "poll", "callback"};
  if (kNeedData.count(family)) return std::numeric_limits<double>::quiet_NaN();
  if (metric == "tokens.output" || metric == "callbacks.missed" || metric == "polls.timed_out") return 0;
  if (family == "status" && stat.size() == 3) return static_cast<double>(m.status[static_cast<std::size_t>(std::stoi(stat))]);
  if (metric.starts_with("goodput.")) {
    if (m.goodput_judged == 0) return std::numeric_limits<double>::quiet_NaN();  // no limits, or no request
    if (metric == "goodput.count") return static_cast<double>(m.good);
    if (metric == "goodput.rate") return static_cast<double>(m.good) / static_cast<double>(m.goodput_judged);
    return duration_s > 0 ? static_cast<double>(m.good) / duration_s : 0;  // goodput.rps
  }
  if (metric == "checks.failed") return static_cast<double>(m.checks_failed);
  if (metric == "checks.passed") return static_cast<double>(m.checks_passed);
  if (metric == "unsupported.count") return static_cast<double>(m.unsupported);
  const double requests = static_cast<double>(m.requests);
  const double achieved = duration_s > 0 ? static_cast<double>(iterations) / duration_s : 0;
  if (metric.starts_with("latency.")) return percentile(m.latency_us, metric.substr(8));
  if (metric.starts_with("service_time.")) return percentile(m.service_time_us, metric.substr(13));
  if (metric == "errors.rate") return requests > 0 ? static_cast<double>(m.error_count()) / requests : 0;
  if (metric == "errors.count") return static_cast<double>(m.error_count());
  if (metric == "requests") return requests;
  if (metric == "rate.rps") return achieved;
  if (metric == "rate.achieved") return target_rps > 0 ? achieved / target_rps : 1;
  if (metric == "late.count") return static_cast<double>(m.late);
  if (metric == "missed.count") return static_cast<double>(m.missed);
  const double scheduled = requests + static_cast<double>(m.missed);
  if (metric == "late.rate") return scheduled > 0 ? static_cast<double>(m.late) / scheduled : 0;
  if (metric == "missed.rate") return scheduled > 0 ? static_cast<double>(m.missed) / scheduled : 0;
  if (metric == "checks.rate") {
    const double all = static_cast<double>(m.checks_passed + m.checks_failed);
    return all > 0 ? static_cast<double>(m.checks_passed) / all : std::numeric_limits<double>::quiet_NaN();
  }
  return 0;
}

std::vector<ThresholdResult> evaluate(const std::vector<scenario::Threshold>& thresholds, const metrics::RunResult& run) {
  std::vector<ThresholdResult> out;
  for (const auto& t : thresholds) {
    metrics::StepMetrics m;
    double target = 0, duration = 0;
    std::int64_t iterations = 0;
    const auto dot = t.scope.find('.');
    const std::string scenario = t.scope.substr(0, dot);
    const std::string step = dot == std::string::npos ? "" : t.scope.substr(dot + 1);
    for (const auto& s : run.scenarios) {
      if (!scenario.empty() && s.name != scenario) continue;
      for (const auto& st : s.steps) {
        if (!step.empty() && st.name != step) continue;
        m.add(st.metrics);
        // An iteration runs every step once: rates count the first step's
        // requests (or the one step asked for); across scenarios they add.
        if (&st == &s.steps.front() || !step.empty()) {
          target += s.target_rps;
          iterations += st.metrics.requests;
        }
      }
      duration = std::max(duration, s.duration_s);
    }
    const double v = t.metric == "capacity.rps"
                         ? (run.search && run.search->capacity_rps > 0 ? run.search->capacity_rps
                                                                       : std::numeric_limits<double>::quiet_NaN())
                         : metric_value(t.metric, m, target, duration, iterations);
    bool passed = false;
    if (t.op == "<") passed = v < t.value;
    else if (t.op == "<=") passed = v <= t.value;
    else if (t.op == ">") passed = v > t.value;
    else if (t.op == ">=") passed = v >= t.value;
    else passed = v == t.value;
    out.push_back({t.text, passed && !std::isnan(v), v, metrics::unit_of_metric(t.metric)});
  }
  return out;
}

std::vector<ThresholdResult> evaluate_again(const metrics::RunResult& run, const std::string& file) {
  std::vector<scenario::Threshold> parsed;
  for (const auto& t : run.thresholds) parsed.push_back(scenario::parse_threshold(t.expr, {file, 0, 0}));
  return evaluate(parsed, run);
}

}  // namespace tollgate::check
