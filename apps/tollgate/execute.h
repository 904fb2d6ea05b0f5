#pragma once
#include <atomic>
#include <functional>
#include <ostream>

#include "apps/tollgate/flags.h"
#include "harness/scenario/scenario.h"
#include "reports/writers.h"

namespace tollgate::cli {

/// What a command adds to, or leaves out of, what execute() prints.
struct ExecuteHooks {
  bool summary_table = true;  ///< the table of every scenario and step
  /// --segment, TOLLGATE_SEGMENT and --start-at apply (run, hit; a probe's
  /// cases are not split).
  bool segmentable = true;
  /// When the run is judged: the command's own verdicts (a threshold result
  /// of its own), before anything is printed or written.
  std::function<void(metrics::RunResult&)> judge;
  /// After the run is judged, before the reports: the command's own account of it.
  std::function<void(const metrics::RunResult&, std::ostream&)> after;
};

/// Runs a loaded plan (run, hit, probe): the live outputs, the run, its
/// verdicts, the summary table and the reports; returns the ExitCode.
int execute(scenario::Plan& plan, const RunFlags& flags, const ExecuteHooks& hooks = {});

/// Set by the first Ctrl-C or SIGTERM of a run (execute's handler): what
/// a hook runs after the run watches it too.
const std::atomic<int>& stop_requested();

/// Names every report that could not be written (on stderr); true when
/// there was one, which makes the exit code kCannotRun.
bool report_failures(const reports::ReportFiles& files);

}  // namespace tollgate::cli
