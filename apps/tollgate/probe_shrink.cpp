#include "apps/tollgate/probe_shrink.h"

#include <algorithm>
#include <string>

#include "harness/http/engine.h"
#include "harness/probe/shrink.h"

namespace tollgate::cli {
namespace {

/// The first check a step failed ("" when none did; a transport error counts).
std::string first_failure(const metrics::StepMetrics& m) {
  for (const auto& c : m.checks)
    if (c.failed > 0) return c.name;
  for (std::size_t k = 0; k < m.errors.size(); ++k)
    if (m.errors[k] > 0 && k != static_cast<std::size_t>(metrics::ErrorKind::kCheck) &&
        k != static_cast<std::size_t>(metrics::ErrorKind::kStatus))
      return std::string("error: ") + metrics::error_kind_name(static_cast<metrics::ErrorKind>(k));
  return "";
}

bool fails(const metrics::StepMetrics& m, const std::string& check) {
  if (m.requests == 0) return false;
  for (const auto& c : m.checks)
    if (c.name == check) return c.failed > 0;
  return first_failure(m) == check;
}

}  // namespace

Shrinking shrink_failures(const std::vector<probe::Case>& cases, const std::vector<std::vector<std::size_t>>& index,
                          const metrics::RunResult& run, const probe::ProbeSetup& setup, unsigned threads,
                          const std::atomic<int>& stop) {
  Shrinking out;
  struct Failing {
    std::size_t at;       // in `cases`
    std::string check;    // the check it fails, which a smaller version must fail too
    probe::Case current;  // the smallest that does so far
  };
  std::vector<Failing> failing;
  if (!index.empty() && !run.scenarios.empty())  // scenario 0: the single cases
    for (std::size_t j = 0; j < index[0].size() && j < run.scenarios[0].steps.size(); ++j) {
      const auto& m = run.scenarios[0].steps[j].metrics;
      const std::string check = m.requests > 0 ? first_failure(m) : "";
      if (!check.empty()) failing.push_back({index[0][j], check, cases[index[0][j]]});
    }
  constexpr std::size_t kPerRound = 2000;
  for (int round = 0; round < 8 && !failing.empty() && stop.load() == 0; ++round) {
    std::vector<probe::Case> candidates;
    std::vector<std::size_t> owner;  // index into `failing`
    for (std::size_t f = 0; f < failing.size() && candidates.size() < kPerRound; ++f)
      for (auto& k : probe::shrink_candidates(*setup.contract, failing[f].current)) {
        if (candidates.size() >= kPerRound) break;
        candidates.push_back(std::move(k));
        owner.push_back(f);
      }
    if (candidates.empty()) break;
    std::vector<std::vector<std::size_t>> at;
    const scenario::Plan plan = probe::probe_plan(candidates, setup, &at);
    http::RunOptions options;
    options.threads = threads;
    const metrics::RunResult again = http::run_plan(plan, options, stop);
    ++out.rounds;
    std::vector<bool> progressed(failing.size(), false);
    for (std::size_t j = 0; j < at[0].size() && j < again.scenarios[0].steps.size(); ++j) {
      const auto& m = again.scenarios[0].steps[j].metrics;
      out.requests += m.requests;
      auto& f = failing[owner[at[0][j]]];
      const auto& k = candidates[at[0][j]];
      if (!fails(m, f.check) || k.body->size() >= f.current.body->size()) continue;
      f.current = k;
      progressed[owner[at[0][j]]] = true;
    }
    std::vector<Failing> next;
    for (std::size_t f = 0; f < failing.size(); ++f) {
      if (progressed[f]) out.shrunk[failing[f].at] = failing[f].current;
      if (progressed[f]) next.push_back(std::move(failing[f]));
    }
    failing = std::move(next);
  }
  return out;
}

}  // namespace tollgate::cli
