#pragma once
// Contract coverage as the reports show it: the summary's lines, the
// `tollgate coverage` table, summary.json's "coverage" (and back).
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/metrics/run_result.h"

namespace tollgate::reports {

/// One line per contract; with `details`, one line per operation naming
/// the statuses covered and not.
void write_coverage(const std::vector<metrics::ContractCoverage>& coverage, std::ostream& out, bool details);
nlohmann::json coverage_json(const std::vector<metrics::ContractCoverage>& coverage);
/// Reads coverage_json's output back; throws nlohmann::json::exception on a
/// missing field or a wrong type.
std::vector<metrics::ContractCoverage> coverage_from_json(const nlohmann::json& coverage);

}  // namespace tollgate::reports
