// Bytes as an OpenAPI document: the contract loader (Contract::parse, which
// documents SourceError as its only refusal) and then what `tollgate
// contract lint` runs on a loaded contract (lint(), documented not to
// throw), request matching over the operations it read, and `contract
// diff`: against itself (no change) and against the AIProxy contract,
// both ways.
#include "contract/contract.h"
#include "contract/diff.h"
#include "contract/lint.h"
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
  return 0;
}
