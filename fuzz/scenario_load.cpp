// Bytes as a scenario file: the plan loader (parse_plan: YAML, ${ENV}
// substitution, the embedded schema, executors, steps, checks, data files,
// thresholds; SourceError is its one documented refusal), then what
// `tollgate validate` / `coverage` and a run's start compute from a loaded
// plan. Relative `spec:` and data `file:` paths resolve in
// scenarios/examples/ of the tree, so the bundled contracts load.
#include "fuzz/fuzz_common.h"
#include "harness/check/coverage.h"
#include "harness/scenario/scenario.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 128 * 1024) return -1;
  static const scenario::Env env = {{"TARGET", "http://127.0.0.1:8080/aiproxy"}, {"FUZZ", "x"}};
  scenario::Plan plan;
  try {
    plan = scenario::parse_plan(fuzz::text_of(data, size), "fuzz.yaml", env, TOLLGATE_FUZZ_SCENARIO_DIR);
  } catch (const SourceError&) {
    return 0;  // a clean refusal
  }
  (void)plan.target.to_string();
  for (const auto& s : plan.scenarios) {
    (void)s.planned_duration();
    (void)s.target_rps();
    (void)s.rate_stages();
    for (const auto& st : s.steps) FUZZ_CHECK(!st.method.empty(), s.name + " / " + st.name);
  }
  const auto seen = check::seen_in_plan(plan, plan.contract.get(), plan.spec_file);
  (void)check::coverage(plan, seen);
  return 0;
}
