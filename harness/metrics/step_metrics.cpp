#include "harness/metrics/step_metrics.h"

#include <algorithm>

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
    case ErrorKind::kAborted: return "aborted";
    case ErrorKind::kCount: break;
  }
  return "?";
}

void StreamMetrics::add(const StreamMetrics& o) {
  ttft_us.add(o.ttft_us);
  itl_us.add(o.itl_us);
  tpot_us.add(o.tpot_us);
  e2e_us.add(o.e2e_us);
  tokens_per_s.add(o.tokens_per_s);
  streams += o.streams;
  output_tokens += o.output_tokens;
  usage_reported += o.usage_reported;
}

void StepMetrics::record_exchange(std::chrono::nanoseconds latency, std::chrono::nanoseconds service, int status,
                                  std::int64_t in, std::int64_t out) {
  latency_us.record_saturating(micros(latency));
  service_time_us.record_saturating(micros(service));
  ++requests;
  bytes_in += in;
  bytes_out += out;
  if (status >= 100 && status < 600) ++this->status[static_cast<std::size_t>(status)];
}

void StepMetrics::record_aborted(std::int64_t in, std::int64_t out) {
  ++requests;
  ++errors[static_cast<std::size_t>(ErrorKind::kAborted)];
  note_sample(error_samples[static_cast<std::size_t>(ErrorKind::kAborted)], "no answer before the run ended");
  bytes_in += in;
  bytes_out += out;
}

void FlowMetrics::add(const FlowMetrics& o) {
  poll_us.add(o.poll_us);
  callback_us.add(o.callback_us);
  polls += o.polls;
  polls_timed_out += o.polls_timed_out;
  poll_requests += o.poll_requests;
  callbacks += o.callbacks;
  callbacks_missed += o.callbacks_missed;
}

void note_sample(Samples& samples, const std::string& message, std::int64_t n) {
  for (auto& [m, count] : samples)
    if (m == message) {
      count += n;
      return;
    }
  if (samples.size() < 3) samples.emplace_back(message, n);
}

void CheckStat::fail(const std::string& message) {
  ++failed;
  note_sample(samples, message);
}

void CheckStat::add(const CheckStat& o) {
  if (name.empty()) name = o.name;
  passed += o.passed;
  failed += o.failed;
  for (const auto& [m, n] : o.samples) note_sample(samples, m, n);
}

std::int64_t StepMetrics::error_count() const {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < errors.size(); ++i) n += errors[i];
  return n;
}

void StepMetrics::add(const StepMetrics& o) {
  goodput_judged += o.goodput_judged;
  good += o.good;
  latency_us.add(o.latency_us);
  service_time_us.add(o.service_time_us);
  requests += o.requests;
  for (std::size_t i = 0; i < status.size(); ++i) status[i] += o.status[i];
  for (std::size_t i = 0; i < errors.size(); ++i) {
    errors[i] += o.errors[i];
    for (const auto& [message, n] : o.error_samples[i]) note_sample(error_samples[i], message, n);
  }
  bytes_in += o.bytes_in;
  bytes_out += o.bytes_out;
  late += o.late;
  missed += o.missed;
  checks_passed += o.checks_passed;
  checks_failed += o.checks_failed;
  if (checks.size() < o.checks.size()) checks.resize(o.checks.size());
  for (std::size_t i = 0; i < o.checks.size(); ++i) checks[i].add(o.checks[i]);
  unsupported += o.unsupported;
  if (unsupported_message.empty()) unsupported_message = o.unsupported_message;
  if (o.stream) stream.get().add(*o.stream);
  if (o.flow) flow.get().add(*o.flow);
}

}  // namespace tollgate::metrics
