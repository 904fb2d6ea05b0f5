#include "reports/writers.h"

#include "reports/html.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace tollgate::reports {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 has no place for most control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += "?";
        else out += c;
    }
  }
  return out;
}

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

std::string junit_xml(const metrics::RunResult& r) {
  std::string suites;
  int all_tests = 0, all_failures = 0, all_skipped = 0;
  for (const auto& s : r.scenarios) {
    std::string cases;
    int tests = 0, failures = 0, skipped = 0;
    for (const auto& st : s.steps) {
      const auto& m = st.metrics;
      const std::string classname = xml_escape(s.name + "." + st.name);
      if (m.unsupported > 0) {
        ++tests, ++skipped;
        cases += "    <testcase classname=\"" + classname + "\" name=\"supported by the target\" time=\"0\">\n"
                 "      <skipped message=\"" + xml_escape(m.unsupported_message.empty() ? "NOT SUPPORTED by the target (501)"
                                                                               : m.unsupported_message) +
                 "\"/>\n    </testcase>\n";
      }
      for (const auto& c : m.checks) {
        ++tests;
        cases += "    <testcase classname=\"" + classname + "\" name=\"" + xml_escape(c.name) + "\" time=\"0\"";
        if (c.failed == 0) {
          cases += "/>\n";
          continue;
        }
        ++failures;
        const std::string first = c.samples.empty() ? "failed" : c.samples.front().first;
        std::string detail = std::to_string(c.failed) + " of " + std::to_string(c.passed + c.failed) + " failed\n";
        for (const auto& [msg, n] : c.samples) detail += std::to_string(n) + "x " + msg + "\n";
        cases += ">\n      <failure type=\"check\" message=\"" + xml_escape(first) + "\">" + xml_escape(detail) +
                 "</failure>\n    </testcase>\n";
      }
    }
    all_tests += tests, all_failures += failures, all_skipped += skipped;
    suites += "  <testsuite name=\"" + xml_escape(s.name) + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
              std::to_string(failures) + "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
              seconds(s.duration_s) + "\">\n" + cases + "  </testsuite>\n";
  }
  std::string cases;
  int failures = 0;
  for (const auto& t : r.thresholds) {
    cases += "    <testcase classname=\"thresholds\" name=\"" + xml_escape(t.expr) + "\" time=\"0\"";
    if (t.passed) {
      cases += "/>\n";
      continue;
    }
    ++failures;
    const std::string actual = std::isnan(t.actual) ? "no data" : "actual " + std::to_string(t.actual);
    cases += ">\n      <failure type=\"threshold\" message=\"" + xml_escape(t.expr + " (" + actual + ")") + "\"/>\n    </testcase>\n";
  }
  all_tests += static_cast<int>(r.thresholds.size());
  all_failures += failures;
  if (r.interrupted) {
    ++all_tests, ++all_failures;
    suites += "  <testsuite name=\"run\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"" +
              seconds(r.duration_s) + "\">\n    <testcase classname=\"run\" name=\"ran to its end\" time=\"" +
              seconds(r.duration_s) +
              "\">\n      <failure type=\"interrupted\" message=\"interrupted (Ctrl-C or SIGTERM): the figures cover what ran\"/>\n"
              "    </testcase>\n  </testsuite>\n";
  }
  suites += "  <testsuite name=\"thresholds\" tests=\"" + std::to_string(r.thresholds.size()) + "\" failures=\"" +
            std::to_string(failures) + "\" errors=\"0\" skipped=\"0\" time=\"0\">\n" + cases + "  </testsuite>\n";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + xml_escape(r.info.scenario_file) + "\" tests=\"" +
         std::to_string(all_tests) + "\" failures=\"" + std::to_string(all_failures) + "\" errors=\"0\" skipped=\"" +
         std::to_string(all_skipped) + "\" time=\"" + seconds(r.duration_s) + "\">\n" + suites +
         "</testsuites>\n";
}

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

std::vector<std::string> write_reports(const metrics::RunResult& run, const std::string& dir, bool with_summary) {
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, std::string>> files;
  if (with_summary) files.emplace_back("summary.json", summary_json(run).dump(2) + "\n");
  files.emplace_back("junit.xml", junit_xml(run));
  files.emplace_back("metrics.prom", prometheus_text(run));
  files.emplace_back("report.html", html_report(run));
  std::vector<std::string> written;
  for (const auto& [name, content] : files) {
    written.push_back((std::filesystem::path(dir) / name).string());
    write_file_atomically(written.back(), content);
  }
  return written;
}

}  // namespace tollgate::reports
