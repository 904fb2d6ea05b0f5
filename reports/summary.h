#pragma once
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/check/coverage.h"
#include "harness/check/thresholds.h"
#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"

namespace tollgate::reports {

/// What a report is written from: the plan, what it measured, the verdicts.
struct Report {
  const scenario::Plan* plan = nullptr;
  const http::RunResult* run = nullptr;
  std::vector<check::ThresholdResult> thresholds;
  std::string command_line;
  std::string tollgate_version;
  /// Steps the target answered 501 Not Implemented do not fail the run.
  bool allow_unsupported = false;
  std::vector<check::ContractCoverage> coverage;
  /// Coverage as already written (a report read back from summary.json).
  nlohmann::json coverage_json;
  std::int64_t unsupported() const;
  std::int64_t checks_passed() const;
  std::int64_t checks_failed() const;
  bool passed() const;
};

/// summary.json (format version 1): totals, per scenario and step the
/// requests, errors by kind, statuses, target and achieved rate, late and
/// missed, latency (from the intended time) and service time percentiles in
/// milliseconds, checks, and the thresholds with their verdicts. No header,
/// body or key ever goes into it.
nlohmann::json summary_json(const Report& report);

/// "2026-11-22T05:49:39.123Z"
std::string rfc3339_ms(std::int64_t unix_ms);

/// The human summary: a table per scenario and the thresholds.
void write_summary_table(const Report& report, std::ostream& out);

/// Writes `content` to `path` atomically (a temporary file, then rename).
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace tollgate::reports
