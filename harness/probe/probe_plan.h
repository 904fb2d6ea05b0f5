#pragma once
// Probe cases as a plan the engine runs like any other: one scenario whose
// steps are the cases, each iteration sending one of them (so N workers
// take the next case as they come free), at an optional rate, bounded in
// time; and a curl command that sends a case again.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/probe/cases.h"
#include "harness/scenario/scenario.h"

namespace tollgate::probe {

struct ProbeSetup {
  scenario::TargetUrl target;
  std::shared_ptr<const contract::Contract> contract;
  std::string spec_file;
  /// -H headers, sent with every case (credentials among them: an auth
  /// case leaves those out).
  std::vector<std::pair<std::string, std::string>> headers;
  int workers = 4;             ///< cases in flight at most
  double rate = 0;             ///< cases per second; 0: as fast as the workers go
  std::chrono::nanoseconds max_time{0};       ///< a response time bound per case (0: none)
  std::chrono::nanoseconds max_duration = std::chrono::minutes(10);  ///< each part (the single cases, then the chains) at most
  /// A chain's read of an asynchronous task is repeated this often until
  /// the task is final, for this long at most.
  std::chrono::nanoseconds poll_interval = std::chrono::milliseconds(250);
  std::chrono::nanoseconds poll_timeout = std::chrono::seconds(60);
};

/// The plan: scenario 0 sends the single cases, one per iteration;
/// scenario 1, when there are chains, sends them one after the other, each
/// chain's cases in order. `case_index`, when given, gets for each scenario
/// the index in `cases` of each of its steps.
scenario::Plan probe_plan(const std::vector<Case>& cases, const ProbeSetup& setup,
                          std::vector<std::vector<std::size_t>>* case_index = nullptr);

/// `curl ...` that sends `step` of `plan` again; credentials masked unless
/// `show_secrets`. Every argument single-quoted for a POSIX shell. A
/// chain's later step shows {{ref}} where the value its first answer
/// carried goes.
std::string curl_command(const scenario::Plan& plan, const scenario::Step& step, bool show_secrets);

}  // namespace tollgate::probe
