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
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& header : h.headers) {
      const auto colon = header.find(':');
      if (colon == std::string::npos) throw SourceError({"-H", 0, 0}, "'" + header + "' is not 'Name: value'");
      std::string value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers.emplace_back(header.substr(0, colon), value);
    }
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
