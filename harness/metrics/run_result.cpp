#include "harness/metrics/run_result.h"

namespace tollgate::http {

metrics::StepMetrics ScenarioResult::total() const {
  metrics::StepMetrics t;
  for (const auto& s : steps) t.add(s.metrics);
  t.checks.clear();  // named per step; a total has only the counts
  return t;
}

}  // namespace tollgate::http
