#include "apps/tollgate/hit_command.h"

#include <iostream>

#include "apps/tollgate/execute.h"
#include "apps/tollgate/exit_codes.h"
#include "harness/scenario/units.h"

namespace tollgate::cli {

int hit(const HitFlags& h, const RunFlags& flags) {
  scenario::Plan plan;
  try {
    const auto q = h.url.find_first_of("/", h.url.find("://") == std::string::npos ? 0 : h.url.find("://") + 3);
    const std::string base = q == std::string::npos ? h.url : h.url.substr(0, q);
    std::string path = q == std::string::npos ? "/" : h.url.substr(q);
    std::string error;
    auto target = scenario::parse_url(base, error);
    if (!target) throw SourceError({"URL", 0, 0}, error);
    plan.file = "hit " + h.url;
    plan.target = *target;
    plan.tls.insecure = h.insecure;
    scenario::Scenario s;
    s.name = "hit";
    const auto duration = scenario::parse_duration(h.duration);
    if (!duration) throw SourceError({"--duration", 0, 0}, "'" + h.duration + "' is not a duration (like 30s)");
    s.duration = *duration;
    // Requests still in flight at the end get as long again as the run, at
    // most the scenario default (10 s), then count as aborted.
    s.graceful_stop = std::min(s.graceful_stop, s.duration);
    if (!h.rate.empty()) {
      const auto rate = scenario::parse_rate(h.rate);
      if (!rate || *rate <= 0) throw SourceError({"--rate", 0, 0}, "'" + h.rate + "' is not a rate (like 200/s)");
      s.executor = scenario::Executor::kConstantArrivalRate;
      s.rate = *rate;
    } else {
      s.executor = scenario::Executor::kConstantVus;
      s.vus = h.vus;
    }
    s.connections = h.connections;
    if (!h.timeout.empty()) {
      const auto t = scenario::parse_duration(h.timeout);
      if (!t || t->count() <= 0) throw SourceError({"--timeout", 0, 0}, "'" + h.timeout + "' is not a duration (like 2s)");
      plan.timeouts.total = *t;
      plan.timeouts.first_byte = std::min(plan.timeouts.first_byte, *t);
      plan.timeouts.write = std::min(plan.timeouts.write, *t);
    }
    if (!h.connect_timeout.empty()) {
      const auto t = scenario::parse_duration(h.connect_timeout);
      if (!t || t->count() <= 0)
        throw SourceError({"--connect-timeout", 0, 0}, "'" + h.connect_timeout + "' is not a duration (like 1s)");
      plan.timeouts.connect = *t;
      plan.timeouts.tls = *t;
    }
    if (h.max_body > 0) plan.max_body = h.max_body;
    if (h.max_event > 0) plan.max_event = h.max_event;
    auto headers = parse_headers(h.headers);
    // The query goes as given.
    scenario::Step step = scenario::literal_step(h.method, path, std::move(headers),
                                                 h.data.empty() ? std::nullopt : std::optional<std::string>(h.data));
    s.steps.push_back(std::move(step));
    plan.scenarios.push_back(std::move(s));
    add_thresholds(plan, flags.thresholds);
  } catch (const SourceError& e) {
    std::cerr << "tollgate hit: " << e.what() << "\n";
    return kBadInput;
  }
  return execute(plan, flags);
}

}  // namespace tollgate::cli
