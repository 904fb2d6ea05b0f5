#include "reports/summary.h"

#include "reports/search.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <regex>
#include <filesystem>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "reports/coverage.h"
#include "harness/metrics/hdr_codec.h"

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
  json said = json::object();
  for (std::size_t k = 1; k < m.error_samples.size(); ++k)
    for (const auto& [message, n] : m.error_samples[k])
      said[metrics::error_kind_name(static_cast<metrics::ErrorKind>(k))].push_back({{"message", message}, {"count", n}});
  json out = {{"name", name},
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
          {"checks", {{"passed", m.checks_passed}, {"failed", m.checks_failed}}},
          {"unsupported", m.unsupported}};
  if (!said.empty()) out["error_messages"] = std::move(said);
  return out;
}

// Every histogram of a step, whole (HdrHistogram V2 compressed, base64),
// so that runs merge and compare exactly.
json histograms_json(const metrics::StepMetrics& m) {
  json h = {{"latency_us", encode_histogram(m.latency_us)}, {"service_time_us", encode_histogram(m.service_time_us)}};
  if (m.stream) {
    h["ttft_us"] = encode_histogram(m.stream->ttft_us);
    h["itl_us"] = encode_histogram(m.stream->itl_us);
    h["tpot_us"] = encode_histogram(m.stream->tpot_us);
    h["e2e_us"] = encode_histogram(m.stream->e2e_us);
    h["tokens_per_s"] = encode_histogram(m.stream->tokens_per_s);
  }
  if (m.flow) {
    h["poll_us"] = encode_histogram(m.flow->poll_us);
    h["callback_us"] = encode_histogram(m.flow->callback_us);
  }
  return h;
}

// The per-check breakdown, streaming and flow figures of one step.
void step_details(json& j, const metrics::StepMetrics& m) {
  j["histograms"] = histograms_json(m);
  json checks = json::array();
  for (const auto& c : m.checks) {
    json failures = json::array();
    for (const auto& [msg, n] : c.samples) failures.push_back({{"message", msg}, {"count", n}});
    checks.push_back({{"name", c.name}, {"passed", c.passed}, {"failed", c.failed}, {"failures", failures}});
  }
  j["checks"]["detail"] = std::move(checks);
  if (m.unsupported) j["unsupported_message"] = m.unsupported_message;
  if (m.goodput_judged > 0)
    j["goodput"] = {{"judged", m.goodput_judged}, {"good", m.good},
                    {"rate", round3(static_cast<double>(m.good) / static_cast<double>(m.goodput_judged))}};
  if (m.stream) {
    const auto& sm = *m.stream;
    j["stream"] = {{"streams", sm.streams},
                   {"output_tokens", sm.output_tokens},
                   {"tokens_from_usage", sm.usage_reported},
                   {"ttft_ms", percentiles_ms(sm.ttft_us)},
                   {"itl_ms", percentiles_ms(sm.itl_us)},
                   {"tpot_ms", percentiles_ms(sm.tpot_us)},
                   {"e2e_ms", percentiles_ms(sm.e2e_us)},
                   {"tokens_per_s", {{"p50", sm.tokens_per_s.value_at_percentile(50)},
                                     {"p90", sm.tokens_per_s.value_at_percentile(90)},
                                     {"min", sm.tokens_per_s.min()},
                                     {"mean", round3(sm.tokens_per_s.mean())}}}};
  }
  if (m.flow) {
    const auto& fm = *m.flow;
    j["flow"] = {{"polls", fm.polls},
                 {"polls_timed_out", fm.polls_timed_out},
                 {"poll_requests", fm.poll_requests},
                 {"poll_ms", percentiles_ms(fm.poll_us)},
                 {"callbacks", fm.callbacks},
                 {"callbacks_missed", fm.callbacks_missed},
                 {"callback_ms", percentiles_ms(fm.callback_us)}};
  }
}

constexpr const char* kStreamFormulas[] = {
    "TTFT     = first chunk with content or a tool-call delta (typed events: a non-empty delta) - request sent",
    "ITL      = each gap between consecutive output chunks (all gaps pooled)",
    "TPOT     = (end - TTFT) / (output tokens - 1), per response with 2+ tokens",
    "e2e      = end of the response - request sent",
    "tokens/s = output tokens / e2e, per response; output tokens from usage (completion_tokens, or output_tokens of response.usage), else output chunks counted",
};

}  // namespace

std::string rfc3339_ms(std::int64_t unix_ms) {
  const std::time_t t = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

json series_json(const metrics::RunResult& run) {
  json names = json::array();
  for (const auto& s : run.scenarios)
    for (const auto& st : s.steps) names.push_back(s.name + " / " + st.name);
  json points = json::array();
  for (const auto& p : run.series) {
    json requests = json::array(), errors = json::array(), p50 = json::array(), p90 = json::array(),
         p99 = json::array(), max = json::array(), ttft50 = json::array(), ttft99 = json::array(),
         itl50 = json::array(), itl99 = json::array(), latency_hdr = json::array(), ttft_hdr = json::array(),
         itl_hdr = json::array();
    bool streamed = false;
    auto hdr = [](const std::string& h) { return h.empty() ? json(nullptr) : json(h); };
    // A stream figure of a step none of whose streams ended then: null.
    auto stream_ms = [&](double v) { return v < 0 ? json(nullptr) : (streamed = true, json(round3(v))); };
    for (const auto& st : p.steps) {
      requests.push_back(st.requests);
      errors.push_back(st.errors);
      p50.push_back(round3(st.p50_ms));
      p90.push_back(round3(st.p90_ms));
      p99.push_back(round3(st.p99_ms));
      max.push_back(round3(st.max_ms));
      ttft50.push_back(stream_ms(st.ttft_p50_ms));
      ttft99.push_back(stream_ms(st.ttft_p99_ms));
      itl50.push_back(stream_ms(st.itl_p50_ms));
      itl99.push_back(stream_ms(st.itl_p99_ms));
      latency_hdr.push_back(hdr(st.latency_hdr));
      ttft_hdr.push_back(hdr(st.ttft_hdr));
      itl_hdr.push_back(hdr(st.itl_hdr));
    }
    json point = {{"t", round3(p.t_s)}, {"length_s", round3(p.length_s)}, {"in_flight", p.in_flight},
                  {"requests", requests}, {"errors", errors}, {"p50_ms", p50}, {"p90_ms", p90},
                  {"p99_ms", p99}, {"max_ms", max}, {"latency_hdr", latency_hdr}};
    if (streamed) {
      point["ttft_p50_ms"] = ttft50;
      point["ttft_p99_ms"] = ttft99;
      point["itl_p50_ms"] = itl50;
      point["itl_p99_ms"] = itl99;
      point["ttft_hdr"] = ttft_hdr;
      point["itl_hdr"] = itl_hdr;
    }
    points.push_back(std::move(point));
  }
  return {{"interval_s", 1}, {"steps", names}, {"points", points}};
}

json summary_json(const metrics::RunResult& run) {
  json scenarios = json::array();
  std::int64_t requests = 0, errors = 0;
  for (const auto& s : run.scenarios) {
    json steps = json::array();
    for (const auto& st : s.steps) {
      json j = step_json(st.metrics, st.name, s.target_rps, s.duration_s, st.metrics.requests);
      if (!st.operation.empty()) j["operation"] = st.operation;
      j["method"] = st.method;
      j["path"] = st.path;
      step_details(j, st.metrics);
      steps.push_back(std::move(j));
      requests += st.metrics.requests;
      errors += st.metrics.error_count();
    }
    const auto total = s.total();
    const std::int64_t iterations = s.steps.empty() ? 0 : s.steps.front().metrics.requests;
    json sj = step_json(total, s.name, s.target_rps, s.duration_s, iterations);
    sj["executor"] = s.executor;
    sj["iterations"] = s.iterations;
    sj["duration_s"] = round3(s.duration_s);
    sj["steps"] = std::move(steps);
    scenarios.push_back(std::move(sj));
  }
  json thresholds = json::array();
  for (const auto& t : run.thresholds) thresholds.push_back(threshold_json(t));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  json out = {{"format", "tollgate-summary"},
          {"version", 2},
          {"meta", {{"tollgate_version", run.info.tollgate_version},
                    {"command_line", run.info.command_line},
                    {"host", host},
                    {"start", rfc3339_ms(run.start_unix_ms)},
                    {"end", rfc3339_ms(run.end_unix_ms)}}},
          {"scenario", run.info.scenario_file},
          {"scenario_sha256", run.info.scenario_sha256},
          {"target", run.info.target},
          {"passed", run.passed()},
          {"interrupted", run.interrupted},
          {"duration_s", round3(run.duration_s)},
          {"start_unix_ms", run.start_unix_ms},
          {"end_unix_ms", run.end_unix_ms},
          {"segment", {{"index", run.info.segment_index}, {"count", run.info.segment_count}}},
          {"planned_start_unix_ms", run.planned_start_unix_ms ? json(run.planned_start_unix_ms) : json(nullptr)},
          {"start_late_ms", run.start_late_ms},
          {"connections_opened", run.connections_opened},
          {"totals", {{"requests", requests}, {"errors", errors},
                      {"rps", round3(run.duration_s > 0 ? requests / run.duration_s : 0)},
                      {"checks", {{"passed", run.checks_passed()}, {"failed", run.checks_failed()}}},
                      {"unsupported", run.unsupported()}}},
          {"callbacks", {{"received", run.callbacks_received}, {"unmatched", run.callbacks_unmatched}}},
          {"stream_metric_definitions", kStreamFormulas},
          {"coverage", coverage_json(run.coverage)},
          {"scenarios", std::move(scenarios)},
          {"series", series_json(run)},
          {"thresholds", std::move(thresholds)}};
  if (run.search) out["search"] = search_json(*run.search);
  return out;
}

namespace {

double ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

// One step: its figures, statuses and error kinds, unsupported, failed checks.
void write_step(const metrics::ScenarioResult& s, const metrics::StepResult& st, std::ostream& out) {
  char line[512];
  const auto& m = st.metrics;
  std::snprintf(line, sizeof line, "  %-28.28s %9lld %8lld %9.1f %6lld %6lld  %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms  %7.2fms\n",
                st.name.c_str(), static_cast<long long>(m.requests), static_cast<long long>(m.error_count()),
                s.duration_s > 0 ? static_cast<double>(m.requests) / s.duration_s : 0.0, static_cast<long long>(m.late),
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
  out << "    status: " << (codes.empty() ? "-" : codes) << (kinds.empty() ? "" : "; errors: " + kinds);
  if (m.checks_passed + m.checks_failed > 0)
    out << "; checks " << m.checks_passed << "/" << (m.checks_passed + m.checks_failed) << " passed";
  out << "\n";
  for (std::size_t k = 1; k < m.error_samples.size(); ++k)
    for (const auto& [msg, n] : m.error_samples[k])
      out << "      " << metrics::error_kind_name(static_cast<metrics::ErrorKind>(k)) << ": "
          << (n > 1 ? std::to_string(n) + "x " : "") << msg << "\n";
  if (m.unsupported)
    out << "    NOT SUPPORTED by the target (" << m.unsupported << "x, checks not run): " << m.unsupported_message << "\n";
  for (const auto& c : m.checks)
    if (c.failed) {
      out << "    FAILED " << c.name << " (" << c.failed << " of " << (c.passed + c.failed) << ")\n";
      for (const auto& [msg, n] : c.samples) out << "      " << (n > 1 ? std::to_string(n) + "x " : "") << msg << "\n";
    }
}

// A step's streaming, poll and callback figures, when it has them.
void write_flow(const metrics::StepMetrics& m, std::ostream& out) {
  char line[512];
  if (m.stream) {
    const auto& sm = *m.stream;
    std::snprintf(line, sizeof line,
                  "    stream: %lld responses, TTFT p50 %.2fms p99 %.2fms, ITL p50 %.2fms p99 %.2fms, TPOT p50 %.2fms, "
                  "e2e p99 %.2fms, %lld output tokens (%s), %lld tokens/s p50\n",
                  static_cast<long long>(sm.streams), ms(sm.ttft_us.value_at_percentile(50)),
                  ms(sm.ttft_us.value_at_percentile(99)), ms(sm.itl_us.value_at_percentile(50)),
                  ms(sm.itl_us.value_at_percentile(99)), ms(sm.tpot_us.value_at_percentile(50)),
                  ms(sm.e2e_us.value_at_percentile(99)), static_cast<long long>(sm.output_tokens),
                  sm.usage_reported == sm.streams ? "from usage" : sm.usage_reported ? "usage or counted" : "counted",
                  static_cast<long long>(sm.tokens_per_s.value_at_percentile(50)));
    out << line;
  }
  if (!m.flow) return;
  const auto& fm = *m.flow;
  if (fm.polls + fm.polls_timed_out > 0) {
    std::snprintf(line, sizeof line, "    poll: %lld done, %lld timed out, %lld requests; time to completion p50 %.2fms p99 %.2fms\n",
                  static_cast<long long>(fm.polls), static_cast<long long>(fm.polls_timed_out),
                  static_cast<long long>(fm.poll_requests), ms(fm.poll_us.value_at_percentile(50)),
                  ms(fm.poll_us.value_at_percentile(99)));
    out << line;
  }
  if (fm.callbacks + fm.callbacks_missed > 0) {
    std::snprintf(line, sizeof line, "    callback: %lld received, %lld missed; submit->callback p50 %.2fms p99 %.2fms\n",
                  static_cast<long long>(fm.callbacks), static_cast<long long>(fm.callbacks_missed),
                  ms(fm.callback_us.value_at_percentile(50)), ms(fm.callback_us.value_at_percentile(99)));
    out << line;
  }
}


}  // namespace

// Checks, coverage, thresholds, unsupported steps and the result line.
void write_verdicts(const metrics::RunResult& run, std::ostream& out) {
  const std::int64_t passed = run.checks_passed();
  if (passed + run.checks_failed() > 0)
    out << "\nchecks: " << passed << " passed, " << run.checks_failed() << " failed (" << std::fixed << std::setprecision(2)
        << 100.0 * static_cast<double>(passed) / static_cast<double>(passed + run.checks_failed()) << "%)\n" << std::defaultfloat;
  if (!run.coverage.empty()) {
    out << "\n";
    write_coverage(run.coverage, out, false);
  }
  if (!run.thresholds.empty()) {
    out << "\nthresholds\n";
    for (const auto& t : run.thresholds) {
      out << "  " << (t.passed ? "pass " : "FAIL ") << t.expr << "  (actual " << metrics::shown_actual(t) << ")\n";
    }
  }
  const auto unsupported = run.unsupported();
  if (unsupported > 0)
    out << "\n" << unsupported << " request(s) answered 501 Not Implemented: those steps are NOT SUPPORTED by the target "
        << "and their checks did not run" << (run.info.allow_unsupported ? " (--allow-unsupported: not a failure)" : "") << "\n";
  const std::int64_t requests = run.requests(), failed = run.failed_requests();
  if (failed > 0)
    out << "\nerrors: " << failed << " of " << requests << " requests failed (" << std::fixed << std::setprecision(2)
        << 100.0 * static_cast<double>(failed) / static_cast<double>(requests) << "%)" << std::defaultfloat
        << (run.nothing_answered() ? "; not one was answered" : "") << "\n";
  out << "\nresult: " << (run.interrupted ? "INTERRUPTED" : run.passed() ? (unsupported ? "PASS (INCOMPLETE)" : "PASS") : "FAIL") << "\n";
}

void write_summary_table(const metrics::RunResult& run, std::ostream& out) {
  char line[512];
  bool any_stream = false;
  for (const auto& s : run.scenarios) {
    out << "\nscenario " << s.name << " (" << s.executor << ", " << std::fixed << std::setprecision(1) << s.duration_s
        << " s, " << s.iterations << " iterations";
    if (s.target_rps > 0) out << ", target " << std::setprecision(1) << s.target_rps << "/s";
    out << ")\n";
    std::snprintf(line, sizeof line, "  %-28s %9s %8s %9s %6s %6s  %9s %9s %9s %9s %9s  %9s\n", "step", "requests",
                  "errors", "rps", "late", "missed", "p50", "p90", "p99", "p99.9", "max", "svc p99");
    out << line;
    for (const auto& st : s.steps) {
      write_step(s, st, out);
      write_flow(st.metrics, out);
      any_stream = any_stream || st.metrics.stream;
    }
  }
  out << "\nlatency counts from each request's intended send time (coordinated omission corrected); "
         "svc = service time from the actual send\n";
  if (any_stream) {
    out << "streaming metrics:\n";
    for (const char* f : kStreamFormulas) out << "  " << f << "\n";
  }
  write_search_table(run, out);
  write_verdicts(run, out);
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    f << content;
    f.flush();
    if (!f) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error("cannot replace " + path + ": " + why);
  }
}

}  // namespace tollgate::reports
