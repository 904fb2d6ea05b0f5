// Bytes as an OpenAPI document, and what is built on a loaded one:
// `contract diff` against itself (no change) and against the AIProxy
// contract, both ways; and `tollgate probe`'s cases: every negative body
// the contract refuses, every positive one it accepts, names unique, a curl
// command for every step of the plan.
#include <set>

#include "contract/contract.h"
#include "contract/diff.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_contract.h"
#include "harness/probe/probe_plan.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string text = fuzz::text_of(data, size);
  const auto c = fuzz::contract_of(text);
  if (!c) return 0;  // a clean refusal (fuzz/contract_load.cpp checks the loader)
  const auto same = contract::diff(*c, *c);
  FUZZ_CHECK(same.changes.empty(), same.changes.empty() ? "" : same.changes[0].where + ": " + same.changes[0].what);
  static const auto aiproxy = contract::Contract::load(TOLLGATE_FUZZ_SPEC_DIR "/aiproxy.yaml");
  for (const auto& r : {contract::diff(*aiproxy, *c), contract::diff(*c, *aiproxy)}) {
    FUZZ_CHECK(r.breaking() <= r.changes.size(), "");
    for (const auto& change : r.changes) (void)change.at.to_string();
  }
  probe::CaseOptions options;
  options.max_examples = 2;
  const auto set = probe::generate_cases(*c, options);
  std::set<std::string> names;
  for (const auto& k : set.cases) {
    FUZZ_CHECK(names.insert(k.name).second, k.name);
    FUZZ_CHECK(!k.expect.empty(), k.name);
    if (!k.body || !k.op || k.op->request_body.empty()) continue;
    const auto body = nlohmann::json::parse(*k.body, nullptr, false);
    if (body.is_discarded() || k.name.find("Content-Type") != std::string::npos) continue;
    const bool valid = c->validate_request(*k.op, "application/json", body).empty();
    if (k.kind == probe::CaseKind::kNegative && k.name.find(" body ") != std::string::npos)
      FUZZ_CHECK(!valid, "a negative case the contract accepts: " + k.name);
    if (k.kind == probe::CaseKind::kPositive) FUZZ_CHECK(valid, "a positive case the contract refuses: " + k.name);
  }
  probe::ProbeSetup setup;
  setup.contract = c;
  setup.spec_file = "fuzz.yaml";
  const auto plan = probe::probe_plan(set.cases, setup);
  for (const auto& scenario : plan.scenarios)
    for (const auto& step : scenario.steps) (void)probe::curl_command(plan, step, false);
  return 0;
}
