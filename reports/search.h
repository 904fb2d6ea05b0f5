#pragma once
// A capacity search's or sweep's steps in the reports: summary.json's
// `search` block (and back, for `tollgate report` and `merge`), one line
// per step as the run goes, and the table under the summary.
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/metrics/run_result.h"

namespace tollgate::reports {

/// A threshold's verdict as summary.json holds it ({expr, passed, actual, shown}), and back.
nlohmann::json threshold_json(const metrics::ThresholdResult& t);
metrics::ThresholdResult threshold_from_json(const nlohmann::json& j);

nlohmann::json search_json(const metrics::SearchResult& search);
metrics::SearchResult search_from_json(const nlohmann::json& j);

/// "achieved 39.9/s, p99 312 ms, TTFT p99 260 ms, goodput 39.1/s: SLO met"
std::string search_step_line(const metrics::SearchStep& step);

/// The steps in the order run, the SLO, and the search's answer.
void write_search_table(const metrics::RunResult& run, std::ostream& out);

}  // namespace tollgate::reports
