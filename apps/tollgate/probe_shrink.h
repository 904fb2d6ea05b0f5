#pragma once
// After a probe: each failing single case sent again in smaller versions
// (probe/shrink.h), round after round, keeping the smallest that still
// fails the same check, so that the reproducer shows the least request
// that fails. Bounded: 8 rounds, 2,000 requests a round at most.
#include <atomic>
#include <cstdint>
#include <map>
#include <vector>

#include "harness/metrics/run_result.h"
#include "harness/probe/probe_plan.h"

namespace tollgate::cli {

struct Shrinking {
  std::map<std::size_t, probe::Case> shrunk;  ///< by index in the case set: the smallest case that still fails
  std::int64_t requests = 0;                  ///< sent while shrinking (not in the probe's own figures)
  int rounds = 0;
};

/// `index` maps the run's scenarios and steps to cases, as probe_plan made it.
Shrinking shrink_failures(const std::vector<probe::Case>& cases, const std::vector<std::vector<std::size_t>>& index,
                          const metrics::RunResult& run, const probe::ProbeSetup& setup, unsigned threads,
                          const std::atomic<int>& stop);

}  // namespace tollgate::cli
