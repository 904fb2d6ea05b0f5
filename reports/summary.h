#pragma once
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/metrics/run_result.h"

namespace tollgate::reports {

/// How every report serializes JSON: a string that is not UTF-8 (which the
/// harness never puts there, see common/printable.h) gets U+FFFD instead
/// of losing the report.
inline constexpr auto json_replace = nlohmann::json::error_handler_t::replace;

/// summary.json (format version 2, reports/summary.schema.json): run
/// metadata, totals, per scenario and step the requests, errors by kind,
/// statuses, target and achieved rate, late and missed, latency (from the
/// intended time) and service time percentiles in milliseconds, every
/// histogram whole, checks, streaming and flow figures, the per-second
/// series, coverage, and the thresholds with their verdicts. No header,
/// body or key ever goes into it.
nlohmann::json summary_json(const metrics::RunResult& run);

/// "2026-11-22T05:49:39.123Z"
std::string rfc3339_ms(std::int64_t unix_ms);

/// The human summary: a table per scenario and the thresholds.
void write_summary_table(const metrics::RunResult& run, std::ostream& out);
/// The end of the summary table alone: checks, coverage, thresholds,
/// unsupported steps, errors and the result line.
void write_verdicts(const metrics::RunResult& run, std::ostream& out);

/// Writes `content` to `path` atomically (a temporary file, then rename).
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace tollgate::reports
