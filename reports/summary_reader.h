#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/metrics/run_result.h"

namespace tollgate::reports {

/// A run read back from its summary.json (format version 2): the measured
/// figures with their full histograms, its metadata, thresholds (with the
/// verdicts it was written with) and coverage.
struct LoadedRun {
  std::string path;
  metrics::RunResult run;
};

/// Reads a summary.json (or DIR/summary.json); throws SourceError naming
/// the file and what is wrong (not JSON, another format or version, a
/// histogram that does not decode).
LoadedRun read_summary(const std::string& path);

/// Adds runs that ran side by side (the same scenario split over
/// machines): counts add, histograms merge without loss, steps match by
/// scenario and step name; start is the earliest, end the latest; each
/// second of the series from its runs' histograms of that second. Segments
/// (--segment I/N) merge only as a whole set: SourceError names a run of
/// another scenario file, a segment missing, twice, of another count or of
/// another planned start (--start-at).
LoadedRun merge_runs(const std::vector<LoadedRun>& runs);

}  // namespace tollgate::reports
