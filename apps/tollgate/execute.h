#pragma once
#include "apps/tollgate/flags.h"
#include "harness/scenario/scenario.h"

namespace tollgate::cli {

/// Runs a loaded plan (run and hit): the live outputs, the run, its
/// verdicts, the summary table and the reports; returns the ExitCode.
int execute(scenario::Plan& plan, const RunFlags& flags);

}  // namespace tollgate::cli
