#include "reports/coverage.h"

#include <cstdio>

namespace tollgate::reports {

void write_coverage(const std::vector<metrics::ContractCoverage>& all, std::ostream& out, bool details) {
  for (const auto& c : all) {
    out << "coverage of " << c.spec_file << " (" << c.title << "): operations " << c.operations_hit << "/"
        << c.operations.size() << ", documented statuses " << c.statuses_hit << "/" << c.statuses_total << "\n";
    if (!details) continue;  // the summary's one line; `tollgate coverage` and summary.json have the rest
    for (const auto& op : c.operations) {
      std::string codes, missing;
      for (const auto& [st, hit] : op.statuses) (hit ? codes : missing) += (hit ? (codes.empty() ? "" : " ") : (missing.empty() ? "" : " ")) + st;
      char line[256];
      std::snprintf(line, sizeof line, "  %-3s %-7s %-34s %-24s", op.exercised ? "ok" : "--", op.method.c_str(),
                    op.path.c_str(), op.id.c_str());
      out << line << " covered: " << (codes.empty() ? "-" : codes);
      if (!missing.empty()) out << "  NOT covered: " << missing;
      out << "\n";
    }
  }
}

nlohmann::json coverage_json(const std::vector<metrics::ContractCoverage>& all) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : all) {
    nlohmann::json ops = nlohmann::json::array();
    for (const auto& op : c.operations) {
      nlohmann::json st = nlohmann::json::object();
      for (const auto& [code, hit] : op.statuses) st[code] = hit;
      ops.push_back({{"operation", op.id}, {"method", op.method}, {"path", op.path}, {"exercised", op.exercised},
                     {"statuses", st}});
    }
    out.push_back({{"spec", c.spec_file},
                   {"title", c.title},
                   {"operations", {{"covered", c.operations_hit}, {"total", c.operations.size()}}},
                   {"statuses", {{"covered", c.statuses_hit}, {"total", c.statuses_total}}},
                   {"detail", ops}});
  }
  return out;
}

std::vector<metrics::ContractCoverage> coverage_from_json(const nlohmann::json& all) {
  std::vector<metrics::ContractCoverage> out;
  for (const auto& c : all) {
    metrics::ContractCoverage cov;
    cov.spec_file = c.at("spec");
    cov.title = c.at("title");
    cov.operations_hit = c.at("operations").at("covered");
    cov.statuses_hit = c.at("statuses").at("covered");
    cov.statuses_total = c.at("statuses").at("total");
    for (const auto& op : c.at("detail")) {
      metrics::OperationCoverage o;
      o.id = op.at("operation");
      o.method = op.at("method");
      o.path = op.at("path");
      o.exercised = op.at("exercised");
      for (const auto& [code, hit] : op.at("statuses").items()) o.statuses.emplace_back(code, hit.get<bool>());
      cov.operations.push_back(std::move(o));
    }
    out.push_back(std::move(cov));
  }
  return out;
}

}  // namespace tollgate::reports
