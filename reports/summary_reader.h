#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/metrics/run_result.h"
#include "harness/scenario/scenario.h"
#include "reports/summary.h"

namespace tollgate::reports {

/// A run read back from its summary.json (format version 2): the measured
/// figures with their full histograms, and what the report needs besides.
struct LoadedRun {
  std::string path;
  nlohmann::json summary;  ///< as read
  http::RunResult run;
  scenario::Plan plan;     ///< file, hash, target and thresholds only
  std::string command_line, tollgate_version;
  bool allow_unsupported = false;
};

/// Reads a summary.json (or DIR/summary.json); throws SourceError naming
/// the file and what is wrong (not JSON, another format or version, a
/// histogram that does not decode).
LoadedRun read_summary(const std::string& path);

/// Adds runs that ran side by side (the same scenario split over
/// machines): counts add, histograms merge without loss, steps match by
/// scenario and step name; start is the earliest, end the latest.
LoadedRun merge_runs(const std::vector<LoadedRun>& runs);

/// The report of a loaded run, thresholds evaluated again on its figures.
Report report_of(const LoadedRun& loaded);

}  // namespace tollgate::reports
