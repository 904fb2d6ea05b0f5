#pragma once

namespace tollgate::cli {

/// The process exit codes every `tollgate` command uses (documented in the README).
enum ExitCode : int {
  kOk = 0,           ///< everything passed
  kFailed = 1,       ///< checks, thresholds or lint found problems
  kBadInput = 2,     ///< bad usage, or a scenario/contract file that cannot be used
  kCannotRun = 3,    ///< the run could not proceed (target unreachable, I/O error)
  kInterrupted = 4,  ///< stopped by Ctrl-C/SIGTERM; the summary of what ran is still written
};

}  // namespace tollgate::cli
