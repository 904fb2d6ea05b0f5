// Bytes as an OpenAPI document: the contract loader (Contract::parse, which
// documents SourceError as its only refusal) and then what `tollgate
// contract lint` runs on a loaded contract (lint(), documented not to
// throw), and request matching over the operations it read. (What is
// built on a loaded contract, diff and probe, is fuzz/contract_probe.cpp:
// slower per input, it would starve this target.)
#include "contract/contract.h"
#include "contract/lint.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_contract.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string text = fuzz::text_of(data, size);
  const auto c = fuzz::contract_of(text);
  if (!c) return 0;  // a clean refusal
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
  return 0;
}
