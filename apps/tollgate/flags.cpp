#include "apps/tollgate/flags.h"

namespace tollgate::cli {

void add_thresholds(scenario::Plan& plan, const std::vector<std::string>& extra) {
  for (const auto& t : extra) {
    auto th = scenario::parse_threshold(t, {"--threshold", 0, 0});
    plan.thresholds.push_back(std::move(th));
  }
}

std::vector<std::pair<std::string, std::string>> parse_headers(const std::vector<std::string>& raw) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& header : raw) {
    const auto colon = header.find(':');
    // The text is not shown: it may be a credential written without its name.
    if (colon == std::string::npos || colon == 0) throw SourceError({"-H", 0, 0}, "a header is not 'Name: value'");
    std::string value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    out.emplace_back(header.substr(0, colon), value);
  }
  return out;
}

}  // namespace tollgate::cli
