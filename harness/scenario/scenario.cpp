#include "harness/scenario/scenario.h"

#include <regex>

#include "harness/scenario/units.h"

namespace tollgate::scenario {

const char* executor_name(Executor e) {
  switch (e) {
    case Executor::kConstantArrivalRate: return "constant-arrival-rate";
    case Executor::kRampingArrivalRate: return "ramping-arrival-rate";
    case Executor::kConstantVus: return "constant-vus";
    case Executor::kRampingVus: return "ramping-vus";
    case Executor::kIterations: return "iterations";
  }
  return "?";
}

std::string TargetUrl::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" + port + base_path;
}

std::optional<TargetUrl> parse_url(const std::string& text, std::string& error) {
  static const std::regex re(R"(^(https?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(:(\d{1,5}))?(/[^?#]*)?$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) {
    error = "'" + text + "' is not a URL: expected http(s)://host[:port][/base/path]";
    return std::nullopt;
  }
  TargetUrl u;
  u.tls = m[1] == "https";
  u.host = m[2];
  if (u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  u.port = m[4].matched ? m[4].str() : (u.tls ? "443" : "80");
  if (std::stoi(u.port) > 65535 || std::stoi(u.port) == 0) {
    error = "port " + u.port + " is out of range";
    return std::nullopt;
  }
  u.base_path = m[5].matched ? m[5].str() : "";
  while (!u.base_path.empty() && u.base_path.back() == '/') u.base_path.pop_back();
  return u;
}

std::vector<exec::RateStage> Scenario::rate_stages() const {
  if (executor == Executor::kConstantArrivalRate) return {{duration, rate, rate}};
  std::vector<exec::RateStage> out;
  double from = start_rate;
  for (const auto& s : stages) {
    out.push_back({s.duration, from, s.target});
    from = s.target;
  }
  return out;
}

nanoseconds Scenario::planned_duration() const {
  if (executor == Executor::kRampingArrivalRate || executor == Executor::kRampingVus) {
    nanoseconds total{0};
    for (const auto& s : stages) total += s.duration;
    return total;
  }
  return duration;
}

double Scenario::target_rps() const {
  if (!is_open_model(executor)) return 0;
  const double secs = std::chrono::duration<double>(planned_duration()).count();
  double n = 0;
  for (const auto& s : rate_stages()) n += (s.from_rps + s.to_rps) / 2 * std::chrono::duration<double>(s.duration).count();
  return secs > 0 ? n / secs : 0;
}

Threshold parse_threshold(const std::string& text, const SourceLocation& where) {
  static const std::regex re(
      R"(^\s*(?:([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_ \-]+)?)\s*:\s*)?([a-z_]+(?:\.[a-z0-9_]+)?)\s*(<=|>=|==|<|>)\s*(\S+)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, re))
    throw SourceError(where, "threshold '" + text + "' is not '[scope:] metric op value', e.g. 'latency.p99 < 500ms'");
  Threshold t;
  t.text = text;
  t.scope = m[1].matched ? m[1].str() : "";
  t.metric = m[2];
  t.op = m[3];
  t.where = where;
  const std::string value = m[4];
  static const std::regex timing(R"(^(latency|service_time)\.(p50|p90|p95|p99|p999|min|max|mean)$)");
  const bool is_timing = std::regex_match(t.metric, timing);
  const bool is_fraction = t.metric == "errors.rate" || t.metric == "rate.achieved" || t.metric == "checks.rate" ||
                           t.metric == "late.rate" || t.metric == "missed.rate";
  const bool is_count = t.metric == "errors.count" || t.metric == "requests" || t.metric == "late.count" ||
                        t.metric == "missed.count" || t.metric == "rate.rps";
  if (!is_timing && !is_fraction && !is_count)
    throw SourceError(where, "unknown metric '" + t.metric +
                                 "': expected latency.<stat> or service_time.<stat> (p50 p90 p95 p99 p999 min max mean), "
                                 "errors.rate, errors.count, requests, rate.achieved, rate.rps, late.count, late.rate, "
                                 "missed.count, missed.rate or checks.rate");
  if (is_timing) {
    const auto d = parse_duration(value);
    if (!d) throw SourceError(where, "'" + value + "' is not a duration (like 500ms or 2s) for " + t.metric);
    t.value = std::chrono::duration<double, std::milli>(*d).count();
  } else if (is_fraction) {
    const auto f = parse_fraction(value);
    if (!f) throw SourceError(where, "'" + value + "' is not a fraction (like 0.1% or 0.001) for " + t.metric);
    t.value = *f;
  } else {
    const auto f = parse_fraction(value);
    if (!f || value.find('%') != std::string::npos)
      throw SourceError(where, "'" + value + "' is not a number for " + t.metric);
    t.value = *f;
  }
  return t;
}

}  // namespace tollgate::scenario
