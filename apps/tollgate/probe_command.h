#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "apps/tollgate/flags.h"

namespace tollgate::cli {

/// `tollgate probe SPEC --target URL`'s own options.
struct ProbeFlags {
  std::string spec;
  std::string target;
  std::vector<std::string> headers;  ///< "Name: value"
  std::vector<std::string> operations, exclude_operations, tags;
  int max_examples = 5;
  std::uint64_t seed = 0;
  int workers = 4;
  std::string rate;      ///< "50/s"; empty: as fast as the workers go
  std::string max_time;  ///< a response time bound per case ("2s")
  std::string poll_timeout = "60s";  ///< a chain's read of a task, repeated until the task is final
  bool no_destructive = false;
  std::string baseline;        ///< the cases known to fail: their failures do not fail the probe
  std::string write_baseline;  ///< write the names of the cases that failed here
  bool no_shrink = false;  ///< report failing cases as first sent, not shrunk
  bool dry_run = false;
  bool show_secrets = false;
};

/// Generates the cases, prints them (--dry-run) or runs them on the engine
/// and reports every failure with a curl command; returns an ExitCode.
int probe(const ProbeFlags& p, const RunFlags& flags);

}  // namespace tollgate::cli
