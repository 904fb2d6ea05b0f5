#include "harness/check/goodput.h"

namespace tollgate::check {

bool is_good(const scenario::Goodput& limits, const Verdict& verdict, const Response& response) {
  // Served: answered 2xx or 3xx without an error (an expected 429 or 500 is
  // still not a request the target served).
  if (verdict.error != metrics::ErrorKind::kNone || verdict.unsupported || response.status < 200 ||
      response.status >= 400)
    return false;
  const auto sent = response.sent.time_since_epoch().count() ? response.sent : response.began;
  const std::chrono::nanoseconds whole = response.done - sent;
  std::optional<std::chrono::nanoseconds> ttft = whole, tpot, e2e = whole;
  if (verdict.stream) {
    ttft = verdict.stream->ttft;
    tpot = verdict.stream->tpot;
    e2e = verdict.stream->e2e;
  }
  if (limits.ttft && (!ttft || *ttft > *limits.ttft)) return false;  // a stream without a token has no TTFT
  if (limits.tpot && tpot && *tpot > *limits.tpot) return false;
  if (limits.e2e && e2e && *e2e > *limits.e2e) return false;
  return true;
}

}  // namespace tollgate::check
