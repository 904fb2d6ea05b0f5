#include "reports/search.h"

#include <cmath>
#include <cstdio>

namespace tollgate::reports {
namespace {

using nlohmann::json;

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

}  // namespace

json threshold_json(const metrics::ThresholdResult& t) {
  return {{"expr", t.expr}, {"passed", t.passed}, {"actual", std::isnan(t.actual) ? json() : json(t.actual)},
          {"shown", metrics::shown_actual(t)}};
}

metrics::ThresholdResult threshold_from_json(const json& t) {
  const json& actual = t.at("actual");
  const std::string expr = t.at("expr");
  return {expr, t.at("passed"), actual.is_null() ? std::nan("") : actual.get<double>(), metrics::unit_of_expression(expr)};
}

json search_json(const metrics::SearchResult& search) {
  json steps = json::array();
  for (const auto& s : search.steps) {
    json slo = json::array();
    for (const auto& t : s.slo) slo.push_back(threshold_json(t));
    json j = {{"scenario", s.scenario},     {"rate", round3(s.offered_rps)}, {"vus", s.vus},
              {"achieved_rps", round3(s.achieved_rps)}, {"valid", s.valid}, {"passed", s.passed},
              {"p99_ms", round3(s.p99_ms)}, {"slo", std::move(slo)}};
    if (!s.valid) j["invalid_reason"] = s.invalid_reason;
    if (s.goodput_rps >= 0) j["goodput_rps"] = round3(s.goodput_rps);
    if (s.ttft_p99_ms >= 0) j["ttft_p99_ms"] = round3(s.ttft_p99_ms);
    steps.push_back(std::move(j));
  }
  json out = {{"kind", search.kind}, {"scenario", search.scenario}, {"slo", search.slo},
              {"conclusion", search.conclusion}, {"steps", std::move(steps)}};
  if (search.kind == "capacity-search") {
    out["capacity_rps"] = search.capacity_rps > 0 ? json(round3(search.capacity_rps)) : json();
    out["failed_rps"] = search.failed_rps > 0 ? json(round3(search.failed_rps)) : json();
  }
  return out;
}

metrics::SearchResult search_from_json(const json& j) {
  metrics::SearchResult out;
  out.kind = j.at("kind");
  out.scenario = j.at("scenario");
  for (const auto& t : j.at("slo")) out.slo.push_back(t);
  out.conclusion = j.at("conclusion");
  if (j.contains("capacity_rps") && j["capacity_rps"].is_number()) out.capacity_rps = j["capacity_rps"];
  if (j.contains("failed_rps") && j["failed_rps"].is_number()) out.failed_rps = j["failed_rps"];
  for (const auto& s : j.at("steps")) {
    metrics::SearchStep step;
    step.scenario = s.at("scenario");
    step.offered_rps = s.at("rate");
    step.vus = s.at("vus");
    step.achieved_rps = s.at("achieved_rps");
    step.valid = s.at("valid");
    step.invalid_reason = s.value("invalid_reason", "");
    step.passed = s.at("passed");
    step.p99_ms = s.at("p99_ms");
    step.goodput_rps = s.value("goodput_rps", -1.0);
    step.ttft_p99_ms = s.value("ttft_p99_ms", -1.0);
    for (const auto& t : s.at("slo")) step.slo.push_back(threshold_from_json(t));
    out.steps.push_back(std::move(step));
  }
  return out;
}

std::string search_step_line(const metrics::SearchStep& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "achieved %.4g/s, p99 %.4g ms", s.achieved_rps, s.p99_ms);
  std::string out = buf;
  if (s.ttft_p99_ms >= 0) {
    std::snprintf(buf, sizeof buf, ", TTFT p99 %.4g ms", s.ttft_p99_ms);
    out += buf;
  }
  if (s.goodput_rps >= 0) {
    std::snprintf(buf, sizeof buf, ", goodput %.4g/s", s.goodput_rps);
    out += buf;
  }
  if (!s.valid) return out + ": INVALID (" + s.invalid_reason + ")";
  std::string missed;
  for (const auto& t : s.slo)
    if (!t.passed) missed += (missed.empty() ? "" : ", ") + t.expr + " (" + metrics::shown_actual(t) + ")";
  if (s.slo.empty()) return out;
  return out + (missed.empty() ? ": SLO met" : ": SLO missed: " + missed);
}

void write_search_table(const metrics::RunResult& run, std::ostream& out) {
  if (!run.search) return;
  const auto& s = *run.search;
  out << "\n" << s.kind << " '" << s.scenario << "'";
  if (!s.slo.empty()) {
    out << ", SLO:";
    for (const auto& t : s.slo) out << " [" << t << "]";
  }
  out << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-4s %10s %12s %10s %11s %12s  %s\n", "step", "offered", "achieved/s", "p99 ms",
                "TTFT p99", "goodput/s", "verdict");
  out << line;
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    const auto& st = s.steps[i];
    char ttft[32] = "-", good[32] = "-";
    if (st.ttft_p99_ms >= 0) std::snprintf(ttft, sizeof ttft, "%.4g", st.ttft_p99_ms);
    if (st.goodput_rps >= 0) std::snprintf(good, sizeof good, "%.4g", st.goodput_rps);
    std::snprintf(line, sizeof line, "  %-4zu %10s %12.4g %10.4g %11s %12s  %s\n", i + 1, st.label().c_str(),
                  st.achieved_rps, st.p99_ms, ttft, good,
                  !st.valid ? ("invalid: " + st.invalid_reason).c_str() : st.passed ? "met" : "missed");
    out << line;
  }
  if (s.kind == "capacity-search") {
    char cap[64] = "none";
    if (s.capacity_rps > 0) std::snprintf(cap, sizeof cap, "%.4g/s", s.capacity_rps);
    out << "capacity at the SLO: " << cap << " — " << s.conclusion << "\n";
  } else {
    out << s.conclusion << "\n";
  }
}

}  // namespace tollgate::reports
