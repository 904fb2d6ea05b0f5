#include "harness/metrics/run_result.h"

#include "harness/metrics/hdr_codec.h"

#include <cmath>
#include <cstdio>
#include <set>

namespace tollgate::metrics {

SeriesStep series_step(std::int64_t requests, std::int64_t errors, const Histogram& latency, const Histogram* ttft,
                       const Histogram* itl) {
  const auto ms = [](const Histogram& h, double p) { return static_cast<double>(h.value_at_percentile(p)) / 1000.0; };
  const auto encoded = [](const Histogram* h) { return h && h->total_count() ? encode_histogram(*h) : std::string(); };
  const auto ended = [&](const Histogram* h, double p) { return h && h->total_count() ? ms(*h, p) : -1.0; };
  SeriesStep s;
  s.requests = requests;
  s.errors = errors;
  s.p50_ms = ms(latency, 50);
  s.p90_ms = ms(latency, 90);
  s.p99_ms = ms(latency, 99);
  s.max_ms = static_cast<double>(latency.max()) / 1000.0;
  s.ttft_p50_ms = ended(ttft, 50);
  s.ttft_p99_ms = ended(ttft, 99);
  s.itl_p50_ms = ended(itl, 50);
  s.itl_p99_ms = ended(itl, 99);
  s.latency_hdr = encoded(&latency);
  s.ttft_hdr = encoded(ttft);
  s.itl_hdr = encoded(itl);
  return s;
}

StepMetrics ScenarioResult::total() const {
  StepMetrics t;
  for (const auto& s : steps) t.add(s.metrics);
  t.checks.clear();  // named per step; a total has only the counts
  return t;
}

namespace {

// A figure summed over every step of the run.
template <typename F>
std::int64_t sum_steps(const RunResult& run, F of) {
  std::int64_t n = 0;
  for (const auto& s : run.scenarios)
    for (const auto& st : s.steps) n += of(st.metrics);
  return n;
}

std::int64_t sum(const RunResult& run, std::int64_t StepMetrics::*field) {
  return sum_steps(run, [field](const StepMetrics& m) { return m.*field; });
}

std::size_t step_count(const RunResult& run) {
  std::size_t n = 0;
  for (const auto& s : run.scenarios) n += s.steps.size();
  return n;
}

}  // namespace

void append_run(RunResult& all, RunResult part) {
  const std::size_t before = step_count(all);
  const std::size_t width = before + step_count(part);
  for (auto& point : all.series) point.steps.resize(width);
  const double offset = all.duration_s;
  for (auto& point : part.series) {
    point.t_s += offset;
    point.steps.insert(point.steps.begin(), before, SeriesStep{});
    point.steps.resize(width);
    all.series.push_back(std::move(point));
  }
  for (auto& s : part.scenarios) all.scenarios.push_back(std::move(s));
  if (all.start_unix_ms == 0) {
    all.start_unix_ms = part.start_unix_ms;
    all.planned_start_unix_ms = part.planned_start_unix_ms;
    all.start_late_ms = part.start_late_ms;
    all.info.segment_index = part.info.segment_index;
    all.info.segment_count = part.info.segment_count;
  }
  all.end_unix_ms = part.end_unix_ms;
  all.duration_s += part.duration_s;
  all.connections_opened += part.connections_opened;
  all.callbacks_received += part.callbacks_received;
  all.callbacks_unmatched += part.callbacks_unmatched;
  all.interrupted = all.interrupted || part.interrupted;
}

std::int64_t RunResult::unsupported() const { return sum(*this, &StepMetrics::unsupported); }
std::int64_t RunResult::checks_passed() const { return sum(*this, &StepMetrics::checks_passed); }
std::int64_t RunResult::checks_failed() const { return sum(*this, &StepMetrics::checks_failed); }
std::int64_t RunResult::requests() const { return sum(*this, &StepMetrics::requests); }
std::int64_t RunResult::failed_requests() const {
  return sum_steps(*this, [](const StepMetrics& m) { return m.error_count(); });
}
std::int64_t RunResult::answered() const {
  return sum_steps(*this, [](const StepMetrics& m) {
    std::int64_t n = 0;
    for (const auto c : m.status) n += c;
    return n;
  });
}

ThresholdResult::Unit unit_of_metric(const std::string& metric) {
  static const std::set<std::string> kTimes = {"latency", "service_time", "ttft", "itl", "tpot", "e2e", "poll", "callback"};
  const std::string family = metric.substr(0, metric.find('.'));
  if (kTimes.count(family)) return ThresholdResult::Unit::kMs;
  if (metric.ends_with(".rate") || metric == "rate.achieved") return ThresholdResult::Unit::kFraction;
  if (family == "tokens_per_s" || metric == "rate.rps" || metric == "goodput.rps" || metric == "capacity.rps")
    return ThresholdResult::Unit::kPerSecond;
  return ThresholdResult::Unit::kCount;
}

ThresholdResult::Unit unit_of_expression(const std::string& expr) {
  const auto colon = expr.find(':');
  std::size_t start = colon == std::string::npos ? 0 : colon + 1;
  while (start < expr.size() && expr[start] == ' ') ++start;
  const auto end = expr.find_first_of(" <>=", start);
  return unit_of_metric(expr.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

std::string shown_actual(const ThresholdResult& t) {
  if (std::isnan(t.actual)) return "no data";
  char text[64];
  switch (t.unit) {
    case ThresholdResult::Unit::kMs: std::snprintf(text, sizeof text, "%.4gms", t.actual); break;
    case ThresholdResult::Unit::kFraction: std::snprintf(text, sizeof text, "%.4g%%", 100 * t.actual); break;
    case ThresholdResult::Unit::kPerSecond: std::snprintf(text, sizeof text, "%.4g/s", t.actual); break;
    case ThresholdResult::Unit::kCount: std::snprintf(text, sizeof text, "%.6g", t.actual); break;
  }
  return text;
}

std::string SearchStep::label() const {
  char buf[48];
  if (vus > 0) std::snprintf(buf, sizeof buf, "%d VUs", vus);
  else std::snprintf(buf, sizeof buf, offered_rps >= 100 ? "%.0f/s" : "%.3g/s", offered_rps);
  return buf;
}

bool RunResult::passed() const {
  if (interrupted) return false;
  if (nothing_answered()) return false;
  if (!info.allow_unsupported && unsupported() > 0) return false;
  for (const auto& t : thresholds)
    if (!t.passed) return false;
  return true;
}

}  // namespace tollgate::metrics
