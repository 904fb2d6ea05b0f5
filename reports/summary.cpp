#include "reports/summary.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace tollgate::reports {

using nlohmann::json;

namespace {

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

json percentiles_ms(const metrics::Histogram& h) {
  return {{"p50", h.value_at_percentile(50) / 1000.0},  {"p90", h.value_at_percentile(90) / 1000.0},
          {"p99", h.value_at_percentile(99) / 1000.0},  {"p999", h.value_at_percentile(99.9) / 1000.0},
          {"max", h.max() / 1000.0},                     {"mean", round3(h.mean() / 1000.0)}};
}

json step_json(const metrics::StepMetrics& m, const std::string& name, double target_rps, double duration_s,
               std::int64_t iterations) {
  json errors = json::object();
  for (std::size_t k = 1; k < m.errors.size(); ++k)
    if (m.errors[k]) errors[metrics::error_kind_name(static_cast<metrics::ErrorKind>(k))] = m.errors[k];
  json status = json::object();
  for (std::size_t c = 0; c < m.status.size(); ++c)
    if (m.status[c]) status[std::to_string(c)] = m.status[c];
  return {{"name", name},
          {"requests", m.requests},
          {"errors", errors},
          {"error_count", m.error_count()},
          {"status", status},
          {"rate", {{"target", round3(target_rps)}, {"achieved", round3(duration_s > 0 ? iterations / duration_s : 0)}}},
          {"late", m.late},
          {"missed", m.missed},
          {"bytes", {{"in", m.bytes_in}, {"out", m.bytes_out}}},
          {"latency_ms", percentiles_ms(m.latency_us)},
          {"service_time_ms", percentiles_ms(m.service_time_us)},
          {"checks", {{"passed", m.checks_passed}, {"failed", m.checks_failed}}}};
}

}  // namespace

bool Report::passed() const {
  if (run && run->interrupted) return false;
  for (const auto& t : thresholds)
    if (!t.passed) return false;
  return true;
}

json summary_json(const Report& r) {
  const auto& run = *r.run;
  json scenarios = json::array();
  std::int64_t requests = 0, errors = 0;
  for (const auto& s : run.scenarios) {
    json steps = json::array();
    for (const auto& st : s.steps) {
      json j = step_json(st.metrics, st.name, s.target_rps, s.duration_s, st.metrics.requests);
      if (!st.operation.empty()) j["operation"] = st.operation;
      j["method"] = st.method;
      j["path"] = st.path;
      steps.push_back(std::move(j));
      requests += st.metrics.requests;
      errors += st.metrics.error_count();
    }
    const auto total = s.total();
    const std::int64_t iterations = s.steps.empty() ? 0 : s.steps.front().metrics.requests;
    json sj = step_json(total, s.name, s.target_rps, s.duration_s, iterations);
    sj["executor"] = scenario::executor_name(s.executor);
    sj["iterations"] = s.iterations;
    sj["duration_s"] = round3(s.duration_s);
    sj["steps"] = std::move(steps);
    scenarios.push_back(std::move(sj));
  }
  json thresholds = json::array();
  for (const auto& t : r.thresholds) thresholds.push_back({{"expr", t.expr}, {"passed", t.passed}, {"actual", round3(t.actual)}});
  return {{"format", "tollgate-summary"},
          {"version", 1},
          {"scenario", r.plan->file},
          {"scenario_sha256", r.plan->text_hash},
          {"target", r.plan->target.to_string()},
          {"passed", r.passed()},
          {"interrupted", run.interrupted},
          {"duration_s", round3(run.duration_s)},
          {"start_unix_ms", run.start_unix_ms},
          {"end_unix_ms", run.end_unix_ms},
          {"connections_opened", run.connections_opened},
          {"totals", {{"requests", requests}, {"errors", errors},
                      {"rps", round3(run.duration_s > 0 ? requests / run.duration_s : 0)}}},
          {"scenarios", std::move(scenarios)},
          {"thresholds", std::move(thresholds)}};
}

void write_summary_table(const Report& r, std::ostream& out) {
  const auto& run = *r.run;
  char line[512];
  for (const auto& s : run.scenarios) {
    out << "\nscenario " << s.name << " (" << scenario::executor_name(s.executor) << ", " << std::fixed
        << std::setprecision(1) << s.duration_s << " s, " << s.iterations << " iterations";
    if (s.target_rps > 0) out << ", target " << std::setprecision(1) << s.target_rps << "/s";
    out << ")\n";
    std::snprintf(line, sizeof line, "  %-28s %9s %8s %9s %6s %6s  %9s %9s %9s %9s %9s  %9s\n", "step", "requests",
                  "errors", "rps", "late", "missed", "p50", "p90", "p99", "p99.9", "max", "svc p99");
    out << line;
    for (const auto& st : s.steps) {
      const auto& m = st.metrics;
      const auto ms = [](std::int64_t us) { return us / 1000.0; };
      std::snprintf(line, sizeof line, "  %-28.28s %9lld %8lld %9.1f %6lld %6lld  %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms  %7.2fms\n",
                    st.name.c_str(), static_cast<long long>(m.requests), static_cast<long long>(m.error_count()),
                    s.duration_s > 0 ? m.requests / s.duration_s : 0.0, static_cast<long long>(m.late),
                    static_cast<long long>(m.missed), ms(m.latency_us.value_at_percentile(50)),
                    ms(m.latency_us.value_at_percentile(90)), ms(m.latency_us.value_at_percentile(99)),
                    ms(m.latency_us.value_at_percentile(99.9)), ms(m.latency_us.max()),
                    ms(m.service_time_us.value_at_percentile(99)));
      out << line;
      std::string kinds;
      for (std::size_t k = 1; k < m.errors.size(); ++k)
        if (m.errors[k])
          kinds += std::string(kinds.empty() ? "" : ", ") + metrics::error_kind_name(static_cast<metrics::ErrorKind>(k)) +
                   " " + std::to_string(m.errors[k]);
      std::string codes;
      for (std::size_t c = 0; c < m.status.size(); ++c)
        if (m.status[c]) codes += std::string(codes.empty() ? "" : ", ") + std::to_string(c) + " x" + std::to_string(m.status[c]);
      out << "    status: " << (codes.empty() ? "-" : codes) << (kinds.empty() ? "" : "; errors: " + kinds) << "\n";
    }
  }
  out << "\nlatency counts from each request's intended send time (coordinated omission corrected); "
         "svc = service time from the actual send\n";
  if (!r.thresholds.empty()) {
    out << "\nthresholds\n";
    for (const auto& t : r.thresholds)
      out << "  " << (t.passed ? "pass " : "FAIL ") << t.expr << "  (actual " << std::setprecision(4) << t.actual << ")\n";
  }
  out << "\nresult: " << (run.interrupted ? "INTERRUPTED" : r.passed() ? "PASS" : "FAIL") << "\n";
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp);
    f << content;
    f.flush();
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace tollgate::reports
