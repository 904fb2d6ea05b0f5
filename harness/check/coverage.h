#pragma once
// Which contract operations and documented status codes a run exercised
// (from the statuses it saw) or a scenario would exercise (from what its
// steps expect).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "contract/contract.h"
#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"

namespace tollgate::check {

using metrics::ContractCoverage;
using metrics::OperationCoverage;

/// Statuses seen per operation, keyed by contract file.
using Seen = std::map<std::string, std::map<std::string, std::set<int>>>;

/// Coverage of every contract the plan's scenarios use, from `seen`.
std::vector<ContractCoverage> coverage(const scenario::Plan& plan, const Seen& seen);
/// What a run saw: the statuses each step's operation answered.
Seen seen_in_run(const scenario::Plan& plan, const metrics::RunResult& run);
/// What scenarios would exercise: each step's expected statuses (a step
/// without `expect.status` counts for its operation's documented 2XX).
/// With `against`, steps are matched to its operations by method and path
/// (whatever contract their scenario names) and recorded under `as_file`.
Seen seen_in_plan(const scenario::Plan& plan, const contract::Contract* against = nullptr,
                  const std::string& as_file = "");

}  // namespace tollgate::check
