#pragma once
#include <string>
#include <vector>

namespace tollgate::cli {

struct CompareFlags {
  std::string base, next;
  double tolerance = 0.10;  ///< p99 may grow this much (fraction) before it is a regression
  std::string format = "text";
};

/// tollgate report PATH [-o DIR]: the summary table, junit.xml and
/// metrics.prom again from a summary.json; exit code from its verdict.
int report_command(const std::string& path, const std::string& out_dir);
/// tollgate merge A B ... -o OUT: runs that ran side by side as one.
int merge_command(const std::vector<std::string>& paths, const std::string& out_dir);
/// tollgate compare BASE NEW: per step, side by side with deltas; exit 1
/// when NEW regresses beyond the tolerance.
int compare_command(const CompareFlags& flags);

}  // namespace tollgate::cli
