#include "mock-server/faults/faults.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tollgate::mock {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_int(std::string_view s, long& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "250ms", "2s", "250" (ms).
bool parse_duration_ms(std::string_view s, long& ms) {
  long factor = 1;
  if (s.ends_with("ms")) s.remove_suffix(2);
  else if (s.ends_with("s")) s.remove_suffix(1), factor = 1000;
  if (!parse_int(s, ms) || ms < 0 || ms > 600'000 / factor) return false;
  ms *= factor;
  return true;
}

}  // namespace

void FaultAction::apply(net::HttpResponse& r) const {
  r.delay += delay;
  r.reset = r.reset || reset;
  r.truncate = r.truncate || truncate;
  if (slow_headers > r.slow_headers) r.slow_headers = slow_headers;
  if (r.stream && (stream_cut >= 0 || stream_error >= 0))
    r.stream = std::make_shared<FaultyStream>(std::move(r.stream), stream_cut, stream_error);
}

std::string parse_fault_header(std::string_view header, FaultAction& out) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const std::string_view item = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string_view name = trim(item.substr(0, eq));
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : trim(item.substr(eq + 1));
    const std::string bad = "X-Tollgate-Fault: '" + std::string(item) + "': ";
    long n = 0;
    if (name == "status") {
      if (!parse_int(value, n) || n < 400 || n > 599) return bad + "expected status=NNN with NNN from 400 to 599";
      out.status = static_cast<int>(n);
    } else if (name == "delay") {
      if (!parse_duration_ms(value, n)) return bad + "expected delay=DURATION (e.g. 250ms or 2s, at most 600s)";
      out.delay = std::chrono::milliseconds(n);
    } else if (name == "slow-headers") {
      if (!parse_duration_ms(value, n)) return bad + "expected slow-headers=DURATION (e.g. 2s)";
      out.slow_headers = std::chrono::milliseconds(n);
    } else if (name == "reset" && value.empty()) {
      out.reset = true;
    } else if (name == "truncate" && value.empty()) {
      out.truncate = true;
    } else if (name == "stream-cut") {
      if (!parse_int(value, n) || n < 0) return bad + "expected stream-cut=N (events sent before the cut)";
      out.stream_cut = static_cast<int>(n);
    } else if (name == "stream-error") {
      if (value.empty()) n = 1;
      else if (!parse_int(value, n) || n < 0) return bad + "expected stream-error or stream-error=N";
      out.stream_error = static_cast<int>(n);
    } else if (name == "fail-sources") {
      std::string_view list = value;
      while (!list.empty()) {
        const auto comma = list.find(',');
        const auto one = trim(list.substr(0, comma));
        if (!one.empty()) out.fail_sources.emplace(one);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
      if (out.fail_sources.empty()) return bad + "expected fail-sources=SOURCE[,SOURCE...]";
    } else {
      return bad + "unknown fault; use status=NNN, delay=D, reset, truncate, stream-cut=N, stream-error[=N], "
                   "slow-headers=D or fail-sources=A,B";
    }
  }
  return "";
}

void FaultProfile::load(const json& rules, std::int64_t now_ms) {
  if (!rules.is_array()) throw std::invalid_argument("the fault profile must be an array of rules");
  std::vector<FaultRule> parsed;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const json& j = rules[i];
    const std::string at = "faults[" + std::to_string(i) + "]: ";
    if (!j.is_object()) throw std::invalid_argument(at + "a rule is an object");
    static const std::set<std::string> kKeys = {"family", "model", "route", "rate", "status", "latency", "reset",
                                                "truncate", "stream_cut", "stream_error", "slow_headers_ms", "outage"};
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!kKeys.count(it.key())) throw std::invalid_argument(at + "unknown key '" + it.key() + "'");
    try {
      FaultRule r;
      r.family = j.value("family", "");
      r.route = j.value("route", "");
      r.model = j.value("model", "");
      r.rate = j.value("rate", 1.0);
      if (r.rate < 0 || r.rate > 1) throw std::invalid_argument("rate must be from 0 to 1");
      r.status = j.value("status", 0);
      if (r.status != 0 && (r.status < 400 || r.status > 599)) throw std::invalid_argument("status must be 400-599");
      if (j.contains("latency")) {
        const json& l = j["latency"];
        if (l.contains("fixed_ms")) r.latency = FaultRule::Latency::kFixed, r.a = l["fixed_ms"].get<double>();
        else if (l.contains("uniform_ms"))
          r.latency = FaultRule::Latency::kUniform, r.a = l["uniform_ms"].at(0).get<double>(),
          r.b = l["uniform_ms"].at(1).get<double>();
        else if (l.contains("lognormal"))
          r.latency = FaultRule::Latency::kLognormal, r.a = l["lognormal"].at("median_ms").get<double>(),
          r.b = l["lognormal"].at("sigma").get<double>();
        else throw std::invalid_argument("latency takes fixed_ms, uniform_ms [min, max] or lognormal {median_ms, sigma}");
        if (r.a < 0 || r.b < 0 || (r.latency == FaultRule::Latency::kUniform && r.b < r.a))
          throw std::invalid_argument("latency figures must be non-negative (uniform: [min, max])");
      }
      r.reset = j.value("reset", false);
      r.truncate = j.value("truncate", false);
      r.stream_cut = j.value("stream_cut", -1);
      r.stream_error = j.value("stream_error", false);
      r.slow_headers_ms = j.value("slow_headers_ms", 0);
      if (j.contains("outage")) {
        const json& o = j["outage"];
        r.outage_source = o.at("source").get<std::string>();
        r.outage_from_s = o.value("from_s", 0.0);
        r.outage_for_s = o.value("for_s", -1.0);
      }
      parsed.push_back(std::move(r));
    } catch (const json::exception& e) {
      throw std::invalid_argument(at + "wrong type: " + e.what());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(at + e.what());
    }
  }
  std::lock_guard lock(mutex_);
  any_ = !parsed.empty();
  rules_ = std::move(parsed);
  source_ = rules;
  loaded_ms_ = now_ms;
}

json FaultProfile::rules() const {
  std::lock_guard lock(mutex_);
  return source_;
}

bool FaultProfile::wants_model() const {
  if (!any_) return false;
  std::lock_guard lock(mutex_);
  for (const auto& r : rules_)
    if (!r.model.empty()) return true;
  return false;
}

FaultAction FaultProfile::pick(std::string_view family, std::string_view route, std::string_view model) {
  FaultAction a;
  if (!any_) return a;
  std::lock_guard lock(mutex_);
  for (const auto& r : rules_) {
    if (!r.outage_source.empty() && !r.status && r.latency == FaultRule::Latency::kNone && !r.reset && !r.truncate &&
        r.stream_cut < 0 && !r.stream_error && !r.slow_headers_ms)
      continue;  // an outage-only rule
    if ((!r.family.empty() && r.family != family) || (!r.route.empty() && !route.starts_with(r.route)) ||
        (!r.model.empty() && r.model != model))
      continue;
    if (r.rate < 1.0 && std::uniform_real_distribution<double>(0, 1)(rng_) >= r.rate) continue;
    if (r.status && !a.status) a.status = r.status;
    double ms = 0;
    switch (r.latency) {
      case FaultRule::Latency::kNone: break;
      case FaultRule::Latency::kFixed: ms = r.a; break;
      case FaultRule::Latency::kUniform: ms = std::uniform_real_distribution<double>(r.a, r.b)(rng_); break;
      case FaultRule::Latency::kLognormal:
        ms = std::lognormal_distribution<double>(std::log(std::max(r.a, 1e-3)), r.b)(rng_);
        ms = std::min(ms, 600'000.0);
        break;
    }
    a.delay += std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000));
    a.reset = a.reset || r.reset;
    a.truncate = a.truncate || r.truncate;
    if (r.stream_cut >= 0) a.stream_cut = r.stream_cut;
    if (r.stream_error) a.stream_error = 1;
    if (r.slow_headers_ms) a.slow_headers = std::chrono::milliseconds(r.slow_headers_ms);
  }
  return a;
}

bool FaultProfile::outage(std::string_view source, std::int64_t now_ms) const {
  if (!any_) return false;
  std::lock_guard lock(mutex_);
  const double since_s = static_cast<double>(now_ms - loaded_ms_) / 1000.0;
  for (const auto& r : rules_)
    if (r.outage_source == source && since_s >= r.outage_from_s &&
        (r.outage_for_s < 0 || since_s < r.outage_from_s + r.outage_for_s))
      return true;
  return false;
}

bool FaultyStream::next(net::StreamChunk& out) {
  if (ended_) return false;
  if (cut_ >= 0 && sent_ >= cut_) {
    out = {};
    out.abort = true;
    ended_ = true;
    return true;
  }
  if (error_after_ >= 0 && sent_ >= error_after_) {
    out = {};
    out.data = "data: " +
               json{{"error", {{"message", "fault injected: the upstream failed mid-stream"}, {"type", "server_error"},
                               {"param", nullptr}, {"code", "upstream_error"}}}}
                   .dump() +
               "\n\n";
    ended_ = true;
    return true;
  }
  if (!inner_->next(out)) return false;
  if (!out.data.empty()) ++sent_;
  return true;
}

}  // namespace tollgate::mock
