#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

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

const std::vector<double>& LiveMetrics::bounds() {
  static const std::vector<double> b = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,   0.5,     1,      2.5,   5,      10,    25,   50,    100};
  return b;
}

LiveMetrics::LiveMetrics(std::vector<std::pair<std::string, std::string>> steps)
    : names_(std::move(steps)), steps_(names_.size()) {}

void LiveMetrics::add(const Interval& iv) {
  std::lock_guard lock(mutex_);
  for (std::size_t k = 0; k < steps_.size(); ++k) {
    Step& s = steps_[k];
    auto add = [k](metrics::Histogram& into, const std::vector<const metrics::Histogram*>& from) {
      if (k < from.size() && from[k]) into.add(*from[k]);
    };
    add(s.latency, iv.latency);
    add(s.ttft, iv.ttft);
    add(s.itl, iv.itl);
    if (iv.requests && k < iv.requests->size()) s.requests += (*iv.requests)[k];
    if (iv.error_kinds && k < iv.error_kinds->size())
      for (std::size_t e = 0; e < s.errors.size(); ++e) s.errors[e] += (*iv.error_kinds)[k][e];
    if (iv.checks_passed && k < iv.checks_passed->size()) s.checks_passed += (*iv.checks_passed)[k];
    if (iv.checks_failed && k < iv.checks_failed->size()) s.checks_failed += (*iv.checks_failed)[k];
  }
  in_flight_ = iv.in_flight;
  elapsed_s_ = iv.elapsed_s;
}

namespace {

// A histogram in seconds with LiveMetrics::bounds(): cumulative _bucket
// counts (each value counted by its recorded bucket's lowest value: exact
// to the histogram's 3 significant digits), _sum and _count.
void histogram_samples(Prom& p, const std::string& name, const std::string& labels, const metrics::Histogram& h) {
  std::vector<std::pair<std::size_t, std::int64_t>> counts;
  h.each_count([&](std::size_t i, std::int64_t c) {
    counts.emplace_back(i, c);
    return true;
  });
  std::size_t i = 0;
  std::int64_t below = 0;
  char le[32];
  for (const double b : LiveMetrics::bounds()) {
    const auto bound_us = static_cast<std::int64_t>(std::llround(b * 1e6));
    for (; i < counts.size() && h.value_from_index(counts[i].first) <= bound_us; ++i) below += counts[i].second;
    std::snprintf(le, sizeof le, "%g", b);
    p.sample(name + "_bucket", labels + ",le=\"" + le + "\"", static_cast<double>(below));
  }
  p.sample(name + "_bucket", labels + ",le=\"+Inf\"", static_cast<double>(h.total_count()));
  p.sample(name + "_sum", labels, h.mean() * static_cast<double>(h.total_count()) / 1e6);
  p.sample(name + "_count", labels, static_cast<double>(h.total_count()));
}

}  // namespace

std::string LiveMetrics::text() const {
  std::lock_guard lock(mutex_);
  Prom p;
  std::vector<std::string> labels;
  for (const auto& [scenario, step] : names_) labels.push_back(step_labels(scenario, step));
  p.family("tollgate_requests_total", "counter", "Requests completed, failed or not.");
  for (std::size_t k = 0; k < steps_.size(); ++k)
    p.sample("tollgate_requests_total", labels[k], static_cast<double>(steps_[k].requests));
  p.family("tollgate_errors_total", "counter", "Failed requests by kind.");
  for (std::size_t k = 0; k < steps_.size(); ++k)
    for (std::size_t e = 1; e < steps_[k].errors.size(); ++e)
      p.sample("tollgate_errors_total",
               labels[k] + ",kind=\"" + metrics::error_kind_name(static_cast<metrics::ErrorKind>(e)) + "\"",
               static_cast<double>(steps_[k].errors[e]));
  p.family("tollgate_checks_total", "counter", "Checks evaluated, by result.");
  for (std::size_t k = 0; k < steps_.size(); ++k) {
    p.sample("tollgate_checks_total", labels[k] + ",result=\"passed\"", static_cast<double>(steps_[k].checks_passed));
    p.sample("tollgate_checks_total", labels[k] + ",result=\"failed\"", static_cast<double>(steps_[k].checks_failed));
  }
  auto histograms = [&](const char* name, const char* help, metrics::Histogram Step::*h, bool streams) {
    p.family(name, "histogram", help);
    for (std::size_t k = 0; k < steps_.size(); ++k)
      if (!streams || (steps_[k].*h).total_count()) histogram_samples(p, name, labels[k], steps_[k].*h);
  };
  histograms("tollgate_latency_seconds", "Latency from the intended send time (coordinated omission corrected).",
             &Step::latency, false);
  histograms("tollgate_ttft_seconds", "Streaming: time to first token, of the streams that ended.", &Step::ttft, true);
  histograms("tollgate_itl_seconds", "Streaming: inter-token latency (every gap), of the streams that ended.",
             &Step::itl, true);
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
