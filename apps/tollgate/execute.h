#pragma once
#include "apps/tollgate/flags.h"
#include "harness/scenario/scenario.h"
#include "reports/writers.h"

namespace tollgate::cli {

/// Runs a loaded plan (run and hit): the live outputs, the run, its
/// verdicts, the summary table and the reports; returns the ExitCode.
int execute(scenario::Plan& plan, const RunFlags& flags);

/// Names every report that could not be written (on stderr); true when
/// there was one, which makes the exit code kCannotRun.
bool report_failures(const reports::ReportFiles& files);

}  // namespace tollgate::cli
