#include "harness/metrics/run_result.h"

namespace tollgate::metrics {

StepMetrics ScenarioResult::total() const {
  StepMetrics t;
  for (const auto& s : steps) t.add(s.metrics);
  t.checks.clear();  // named per step; a total has only the counts
  return t;
}

namespace {

// A count summed over every step of the run.
std::int64_t sum(const RunResult& run, std::int64_t StepMetrics::*field) {
  std::int64_t n = 0;
  for (const auto& s : run.scenarios)
    for (const auto& st : s.steps) n += st.metrics.*field;
  return n;
}

}  // namespace

std::int64_t RunResult::unsupported() const { return sum(*this, &StepMetrics::unsupported); }
std::int64_t RunResult::checks_passed() const { return sum(*this, &StepMetrics::checks_passed); }
std::int64_t RunResult::checks_failed() const { return sum(*this, &StepMetrics::checks_failed); }

bool RunResult::passed() const {
  if (interrupted) return false;
  if (!info.allow_unsupported && unsupported() > 0) return false;
  for (const auto& t : thresholds)
    if (!t.passed) return false;
  return true;
}

}  // namespace tollgate::metrics
