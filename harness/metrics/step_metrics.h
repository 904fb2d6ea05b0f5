#pragma once
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/metrics/histogram.h"

namespace tollgate::metrics {

/// Microseconds of `d`, the unit the time histograms hold (never negative).
inline std::int64_t micros(std::chrono::nanoseconds d) {
  return std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

/// How a request failed. Every failure is counted under exactly one kind;
/// `aborted` is a request the run's end cut off before its answer was in
/// (still in flight when the graceful stop ran out).
enum class ErrorKind : int { kNone = 0, kConnect, kTls, kTimeout, kReset, kProtocol, kStatus, kCheck, kAborted, kCount };

const char* error_kind_name(ErrorKind kind);

/// A value that is allocated only when first used and copied deeply: a
/// step that never streams carries no streaming histograms.
template <typename T>
class Lazy {
 public:
  Lazy() = default;
  Lazy(const Lazy& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Lazy& operator=(const Lazy& o) {
    p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Lazy(Lazy&&) noexcept = default;
  Lazy& operator=(Lazy&&) noexcept = default;
  T& get() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  const T* operator->() const { return p_.get(); }
  const T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  std::unique_ptr<T> p_;
};

/// Server-sent-event responses (all histograms in microseconds, except
/// tokens_per_s). Definitions, per response:
///   TTFT  = first chunk with non-empty content - request sent
///   ITL   = every gap between consecutive content chunks (pooled)
///   TPOT  = (end - TTFT) / (output tokens - 1), responses with 2+ tokens
///   e2e   = end of the response - request sent
///   tokens/s = output tokens / e2e
/// Output tokens come from `usage.completion_tokens` when the stream
/// carries it, otherwise they are the content chunks counted.
struct StreamMetrics {
  Histogram ttft_us, itl_us, tpot_us, e2e_us;
  Histogram tokens_per_s{10'000'000, 3};
  std::int64_t streams = 0;
  std::int64_t output_tokens = 0;
  std::int64_t usage_reported = 0;  ///< streams whose token count came from `usage`
  void add(const StreamMetrics& o);
};

/// Flows: polling until a state, and callbacks (microseconds).
struct FlowMetrics {
  Histogram poll_us;      ///< first poll sent -> the condition held
  Histogram callback_us;  ///< request sent -> its callback arrived
  std::int64_t polls = 0, polls_timed_out = 0, poll_requests = 0;
  std::int64_t callbacks = 0, callbacks_missed = 0;
  void add(const FlowMetrics& o);
};

/// Up to three distinct messages with how often each came (later distinct
/// ones are counted with their check or kind, not kept).
using Samples = std::vector<std::pair<std::string, std::int64_t>>;
void note_sample(Samples& samples, const std::string& message, std::int64_t n = 1);

/// One named check of a step: how often it passed and failed, and up to
/// three distinct failure messages with their counts.
struct CheckStat {
  std::string name;
  std::int64_t passed = 0;
  std::int64_t failed = 0;
  Samples samples;
  void fail(const std::string& message);
  void add(const CheckStat& o);
};

/// Everything measured for one step of one scenario (on one worker, or
/// merged). Histograms hold microseconds.
struct StepMetrics {
  Histogram latency_us;       ///< from the intended send time (coordinated omission corrected)
  Histogram service_time_us;  ///< from the actual send
  std::int64_t requests = 0;  ///< completed, failed or not
  std::array<std::int64_t, 600> status{};  ///< by HTTP status code
  std::array<std::int64_t, static_cast<int>(ErrorKind::kCount)> errors{};
  /// What the transport said, per kind (connect, tls, timeout, reset,
  /// protocol, aborted): up to three distinct messages each, masked.
  std::array<Samples, static_cast<int>(ErrorKind::kCount)> error_samples{};
  std::int64_t bytes_in = 0;
  std::int64_t bytes_out = 0;
  std::int64_t late = 0;    ///< sent after their intended time because the cap or the target held them back
  std::int64_t missed = 0;  ///< scheduled but never sent before the run ended
  std::int64_t checks_passed = 0;
  std::int64_t checks_failed = 0;
  std::vector<CheckStat> checks;  ///< the step's checks, in the order of Step's check list
  /// Answers 501 Not Implemented that the operation does not document: the
  /// target does not support the step, so its checks did not run.
  std::int64_t unsupported = 0;
  std::string unsupported_message;
  /// With goodput limits: the requests judged, and those that met every limit.
  std::int64_t goodput_judged = 0, good = 0;
  Lazy<StreamMetrics> stream;
  Lazy<FlowMetrics> flow;

  std::int64_t error_count() const;
  void add(const StepMetrics& other);
  /// Counts one exchange, whatever its outcome: its latency from the
  /// intended send, its service time from the actual one, status and bytes.
  void record_exchange(std::chrono::nanoseconds latency, std::chrono::nanoseconds service, int status,
                       std::int64_t bytes_in, std::int64_t bytes_out);
  /// Counts a request the run's end cut off: a request and an `aborted`
  /// error, with its bytes, but no time (it had no end of its own, so the
  /// latency histograms hold only requests that ended).
  void record_aborted(std::int64_t bytes_in, std::int64_t bytes_out);
};

}  // namespace tollgate::metrics
