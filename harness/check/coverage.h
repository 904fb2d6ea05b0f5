#pragma once
// Which contract operations and documented status codes a run exercised
// (from the statuses it saw) or a scenario would exercise (from what its
// steps expect).
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/contract.h"
#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"

namespace tollgate::check {

struct OperationCoverage {
  std::string id, method, path;
  std::vector<std::pair<std::string, bool>> statuses;  ///< documented status -> exercised
  bool exercised = false;
};

struct ContractCoverage {
  std::string spec_file;
  std::string title;
  std::vector<OperationCoverage> operations;
  int operations_hit = 0, statuses_hit = 0, statuses_total = 0;
  bool complete() const { return operations_hit == static_cast<int>(operations.size()) && statuses_hit == statuses_total; }
};

/// Statuses seen per operation, keyed by contract file.
using Seen = std::map<std::string, std::map<std::string, std::set<int>>>;

/// Coverage of every contract the plan's scenarios use, from `seen`.
std::vector<ContractCoverage> coverage(const scenario::Plan& plan, const Seen& seen);
/// What a run saw: the statuses each step's operation answered.
Seen seen_in_run(const scenario::Plan& plan, const http::RunResult& run);
/// What scenarios would exercise: each step's expected statuses (a step
/// without `expect.status` counts for its operation's documented 2XX).
/// With `against`, steps are matched to its operations by method and path
/// (whatever contract their scenario names) and recorded under `as_file`.
Seen seen_in_plan(const scenario::Plan& plan, const contract::Contract* against = nullptr,
                  const std::string& as_file = "");

void write_coverage(const std::vector<ContractCoverage>& c, std::ostream& out, bool details);
nlohmann::json coverage_json(const std::vector<ContractCoverage>& c);

}  // namespace tollgate::check
