#include "harness/metrics/step_metrics.h"

namespace tollgate::metrics {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone: return "none";
    case ErrorKind::kConnect: return "connect";
    case ErrorKind::kTls: return "tls";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kReset: return "reset";
    case ErrorKind::kProtocol: return "protocol";
    case ErrorKind::kStatus: return "status";
    case ErrorKind::kCheck: return "check";
    case ErrorKind::kCount: break;
  }
  return "?";
}

std::int64_t StepMetrics::error_count() const {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < errors.size(); ++i) n += errors[i];
  return n;
}

void StepMetrics::add(const StepMetrics& o) {
  latency_us.add(o.latency_us);
  service_time_us.add(o.service_time_us);
  requests += o.requests;
  for (std::size_t i = 0; i < status.size(); ++i) status[i] += o.status[i];
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
  bytes_in += o.bytes_in;
  bytes_out += o.bytes_out;
  late += o.late;
  missed += o.missed;
  checks_passed += o.checks_passed;
  checks_failed += o.checks_failed;
}

}  // namespace tollgate::metrics
