// Bytes as an OpenAPI document: the contract loader (Contract::parse, which
// documents SourceError as its only refusal) and then what `tollgate
// contract lint` runs on a loaded contract (lint(), documented not to
// throw), request matching over the operations it read, and `contract
// diff`: against itself (no change) and against the AIProxy contract,
// both ways; and `tollgate probe`'s cases: every negative body the
// contract refuses, every positive one it accepts, names unique.
#include <set>

#include "contract/contract.h"
#include "contract/diff.h"
#include "contract/lint.h"
#include "harness/probe/probe_plan.h"
#include "fuzz/fuzz_common.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string text = fuzz::text_of(data, size);
  std::shared_ptr<const contract::Contract> c;
  try {
    // $refs to other files resolve beside the bundled contracts.
    c = contract::Contract::parse(text, "fuzz.yaml", TOLLGATE_FUZZ_SPEC_DIR);
  } catch (const SourceError&) {
    return 0;  // a clean refusal
  }
  const auto report = contract::lint(*c);
  FUZZ_CHECK(report.operations == c->operations().size(), "");
  for (const auto& issue : report.issues) (void)issue.where.to_string();
  for (const auto& op : c->operations()) {
    if (!op.id.empty()) FUZZ_CHECK(c->find(op.id) != nullptr, op.id);
    const auto m = c->match(op.method, op.path);
    // Every operation's own path template matches it (a query or fragment
    // part is cut off a request path before matching).
    if (op.path.find_first_of("?#") == std::string::npos)
      FUZZ_CHECK(m.kind == contract::Match::Kind::kFound, op.method + " " + op.path);
    (void)op.response_for(200);
    (void)op.response_for(404);
  }
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
  for (const auto& step : plan.scenarios.front().steps) (void)probe::curl_command(plan, step, false);
  return 0;
}
