#include "apps/tollgate/flags.h"

namespace tollgate::cli {

void add_thresholds(scenario::Plan& plan, const std::vector<std::string>& extra) {
  for (const auto& t : extra) {
    auto th = scenario::parse_threshold(t, {"--threshold", 0, 0});
    plan.thresholds.push_back(std::move(th));
  }
}

}  // namespace tollgate::cli
