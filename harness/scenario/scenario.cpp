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
  return secs > 0 ? exec::ArrivalSchedule(rate_stages(), false).expected_total() / secs : 0;
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
  static const std::regex timing(
      R"(^(latency|service_time|ttft|itl|tpot|e2e|poll|callback)\.(p50|p90|p95|p99|p999|min|max|mean)$)");
  static const std::regex per_second(R"(^tokens_per_s\.(p50|p90|p95|p99|p999|min|max|mean)$)");
  const bool is_timing = std::regex_match(t.metric, timing);
  const bool is_fraction = t.metric == "errors.rate" || t.metric == "rate.achieved" || t.metric == "checks.rate" ||
                           t.metric == "late.rate" || t.metric == "missed.rate" || t.metric == "goodput.rate";
  const bool is_count = t.metric == "errors.count" || t.metric == "requests" || t.metric == "late.count" ||
                        t.metric == "missed.count" || t.metric == "rate.rps" || t.metric == "checks.failed" ||
                        t.metric == "checks.passed" || t.metric == "unsupported.count" ||
                        t.metric == "callbacks.missed" || t.metric == "polls.timed_out" ||
                        t.metric == "tokens.output" || t.metric == "goodput.rps" || t.metric == "goodput.count" ||
                        t.metric == "capacity.rps" || std::regex_match(t.metric, per_second) ||
                        std::regex_match(t.metric, std::regex(R"(^status\.[1-5][0-9][0-9]$)"));
  if (!is_timing && !is_fraction && !is_count)
    throw SourceError(where, "unknown metric '" + t.metric +
                                 "': expected <timing>.<stat> with timing one of latency, service_time, ttft, itl, "
                                 "tpot, e2e, poll, callback and stat one of p50 p90 p95 p99 p999 min max mean; "
                                 "tokens_per_s.<stat>; errors.rate, errors.count, requests, rate.achieved, rate.rps, "
                                 "late.count, late.rate, missed.count, missed.rate, checks.rate, checks.failed, "
                                 "checks.passed, unsupported.count, callbacks.missed, polls.timed_out, tokens.output, "
                                 "goodput.rps, goodput.rate, goodput.count, capacity.rps (a capacity-search's result) "
                                 "or status.NNN (responses with that status)");
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

Step literal_step(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers,
                  std::optional<std::string> body) {
  Step s;
  s.name = method + " " + path.substr(0, path.find('?'));
  s.method = std::move(method);
  s.path = std::move(path);
  s.path_t.parts = {{false, s.path}};
  for (const auto& [k, v] : headers) s.headers_t.emplace_back(k, Template{{{false, v}}});
  s.headers = std::move(headers);
  s.body = std::move(body);
  return s;
}

Template parse_template(const std::string& text, const SourceLocation& where) {
  Template t;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("{{", pos);
    if (open == std::string::npos) {
      t.parts.push_back({false, text.substr(pos)});
      break;
    }
    if (open > pos) t.parts.push_back({false, text.substr(pos, open - pos)});
    const auto close = text.find("}}", open + 2);
    if (close == std::string::npos) throw SourceError(where, "'{{' without '}}' in '" + text + "'");
    std::string name = text.substr(open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    static const std::regex re("[A-Za-z_][A-Za-z0-9_]*");
    if (!std::regex_match(name, re))
      throw SourceError(where, "'{{" + text.substr(open + 2, close - open - 2) + "}}' is not a variable (letters, digits and _)");
    t.parts.push_back({true, name});
    pos = close + 2;
  }
  return t;
}

}  // namespace tollgate::scenario
