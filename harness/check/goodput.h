#pragma once
// Whether one request was good: served (2xx or 3xx, no error) and within every
// per-request limit the scenario sets (vLLM's --goodput, AIPerf's
// goodput): time to first token, time per output token, end to end. An
// answer that is not streamed has its whole time as TTFT and e2e, and no
// TPOT to break. Times count from the request's first byte sent, as the
// stream metrics do.
#include "harness/check/response.h"
#include "harness/check/verdict.h"
#include "harness/scenario/scenario.h"

namespace tollgate::check {

bool is_good(const scenario::Goodput& limits, const Verdict& verdict, const Response& response);

}  // namespace tollgate::check
