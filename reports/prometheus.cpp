#include <cmath>
#include <cstdio>

#include "reports/writers.h"

namespace tollgate::reports {

namespace {

std::string label(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

struct Prom {
  std::string out;
  void family(const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", value);
    out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + buf + "\n";
  }
};

}  // namespace

namespace {

// A latency summary in seconds: quantiles, _sum and _count.
void summary_samples(Prom& p, const std::string& name, const std::string& labels, const metrics::Histogram& h) {
  static const std::pair<const char*, double> kQuantiles[] = {{"0.5", 50}, {"0.9", 90}, {"0.99", 99}, {"0.999", 99.9}};
  for (const auto& [q, pct] : kQuantiles)
    p.sample(name, labels + ",quantile=\"" + q + "\"", static_cast<double>(h.value_at_percentile(pct)) / 1e6);
  p.sample(name + "_sum", labels, h.mean() * static_cast<double>(h.total_count()) / 1e6);
  p.sample(name + "_count", labels, static_cast<double>(h.total_count()));
}

std::string step_labels(const std::string& scenario, const std::string& step) {
  return "scenario=\"" + label(scenario) + "\",step=\"" + label(step) + "\"";
}

}  // namespace

LiveMetrics::LiveMetrics(std::vector<std::pair<std::string, std::string>> steps)
    : steps_(std::move(steps)), latency_(steps_.size()), requests_(steps_.size()), errors_(steps_.size()) {}

void LiveMetrics::add(const std::vector<const metrics::Histogram*>& latency, const std::vector<std::int64_t>& requests,
                      const std::vector<std::int64_t>& errors, std::int64_t in_flight, double elapsed_s) {
  std::lock_guard lock(mutex_);
  for (std::size_t k = 0; k < steps_.size(); ++k) {
    if (k < latency.size()) latency_[k].add(*latency[k]);
    if (k < requests.size()) requests_[k] += requests[k];
    if (k < errors.size()) errors_[k] += errors[k];
  }
  in_flight_ = in_flight;
  elapsed_s_ = elapsed_s;
}

std::string LiveMetrics::text() const {
  std::lock_guard lock(mutex_);
  Prom p;
  p.family("tollgate_requests_total", "counter", "Requests completed, failed or not.");
  for (std::size_t k = 0; k < steps_.size(); ++k)
    p.sample("tollgate_requests_total", step_labels(steps_[k].first, steps_[k].second), static_cast<double>(requests_[k]));
  p.family("tollgate_errors_total", "counter", "Failed requests (any kind).");
  for (std::size_t k = 0; k < steps_.size(); ++k)
    p.sample("tollgate_errors_total", step_labels(steps_[k].first, steps_[k].second), static_cast<double>(errors_[k]));
  p.family("tollgate_latency_seconds", "summary", "Latency from the intended send time (coordinated omission corrected).");
  for (std::size_t k = 0; k < steps_.size(); ++k)
    summary_samples(p, "tollgate_latency_seconds", step_labels(steps_[k].first, steps_[k].second), latency_[k]);
  p.family("tollgate_in_flight", "gauge", "Requests in flight.");
  p.sample("tollgate_in_flight", "", static_cast<double>(in_flight_));
  p.family("tollgate_elapsed_seconds", "gauge", "Seconds since the run started.");
  p.sample("tollgate_elapsed_seconds", "", elapsed_s_);
  return p.out;
}

std::string prometheus_text(const metrics::RunResult& r) {
  Prom p;
  struct Step {
    std::string labels;
    const metrics::StepMetrics* m;
  };
  std::vector<Step> steps;
  for (const auto& s : r.scenarios)
    for (const auto& st : s.steps) steps.push_back({step_labels(s.name, st.name), &st.metrics});
  p.family("tollgate_requests_total", "counter", "Requests completed, failed or not.");
  for (const auto& s : steps) p.sample("tollgate_requests_total", s.labels, static_cast<double>(s.m->requests));
  p.family("tollgate_responses_total", "counter", "Responses by HTTP status.");
  for (const auto& s : steps)
    for (std::size_t c = 0; c < s.m->status.size(); ++c)
      if (s.m->status[c])
        p.sample("tollgate_responses_total", s.labels + ",status=\"" + std::to_string(c) + "\"",
                 static_cast<double>(s.m->status[c]));
  p.family("tollgate_errors_total", "counter", "Failed requests by kind.");
  for (const auto& s : steps)
    for (std::size_t k = 1; k < s.m->errors.size(); ++k)
      if (s.m->errors[k])
        p.sample("tollgate_errors_total",
                 s.labels + ",kind=\"" + metrics::error_kind_name(static_cast<metrics::ErrorKind>(k)) + "\"",
                 static_cast<double>(s.m->errors[k]));
  p.family("tollgate_checks_total", "counter", "Checks evaluated, by result.");
  for (const auto& s : steps) {
    p.sample("tollgate_checks_total", s.labels + ",result=\"passed\"", static_cast<double>(s.m->checks_passed));
    p.sample("tollgate_checks_total", s.labels + ",result=\"failed\"", static_cast<double>(s.m->checks_failed));
  }
  auto summary = [&](const char* name, const char* help, auto pick) {
    p.family(name, "summary", help);
    for (const auto& s : steps) {
      const metrics::Histogram* h = pick(*s.m);
      if (h) summary_samples(p, name, s.labels, *h);
    }
  };
  summary("tollgate_latency_seconds", "Latency from the intended send time (coordinated omission corrected).",
          [](const metrics::StepMetrics& m) { return &m.latency_us; });
  summary("tollgate_service_time_seconds", "Latency from the actual send.",
          [](const metrics::StepMetrics& m) { return &m.service_time_us; });
  summary("tollgate_ttft_seconds", "Streaming: time to first token.",
          [](const metrics::StepMetrics& m) { return m.stream ? &m.stream->ttft_us : nullptr; });
  summary("tollgate_itl_seconds", "Streaming: inter-token latency.",
          [](const metrics::StepMetrics& m) { return m.stream ? &m.stream->itl_us : nullptr; });
  p.family("tollgate_threshold_passed", "gauge", "1 when the threshold held.");
  for (const auto& t : r.thresholds)
    p.sample("tollgate_threshold_passed", "expr=\"" + label(t.expr) + "\"", t.passed ? 1 : 0);
  p.family("tollgate_run_passed", "gauge", "1 when the run passed.");
  p.sample("tollgate_run_passed", "", r.passed() ? 1 : 0);
  p.family("tollgate_run_duration_seconds", "gauge", "How long the run sent.");
  p.sample("tollgate_run_duration_seconds", "", r.duration_s);
  return p.out;
}

}  // namespace tollgate::reports
