#pragma once
#include <array>
// The run's time series: each worker hands over its figures once a period
// (IntervalTicker, on its own thread and timers), and the Sampler merges
// them into one point per period, in order, on the thread that reports.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "harness/exec/timers.h"
#include "harness/metrics/histogram.h"
#include "harness/metrics/step_metrics.h"

namespace tollgate::exec {

/// One worker's figures over one interval: per step, the latency from the
/// intended time and the requests and errors counted in it.
struct IntervalData {
  std::vector<metrics::Histogram> latency_us;
  std::vector<std::int64_t> requests, errors;
  /// Per step: its errors by kind (metrics::ErrorKind) and its checks.
  std::vector<std::array<std::int64_t, static_cast<int>(metrics::ErrorKind::kCount)>> error_kinds;
  std::vector<std::int64_t> checks_passed, checks_failed;
  std::int64_t in_flight = 0;  ///< at the interval's end
  /// Per step, once it has streamed: the TTFT and inter-token gaps of the
  /// streams that ended in the interval (empty for a step that never did).
  std::vector<std::optional<metrics::Histogram>> ttft_us, itl_us;

  /// A streamed answer of step `k` has ended: its histograms, made on
  /// the step's first stream, to record its TTFT and gaps into.
  std::pair<metrics::Histogram*, metrics::Histogram*> stream_histograms(std::size_t k);

  explicit IntervalData(std::size_t steps = 0)
      : latency_us(steps), requests(steps, 0), errors(steps, 0), error_kinds(steps), checks_passed(steps, 0),
        checks_failed(steps, 0) {}
  void add(const IntervalData& o);
  void reset();
};

/// A point of the series, every worker's figures merged.
struct Interval {
  std::int64_t tick = 0;    ///< the point's number: it ends `tick` periods after the start (the last: earlier)
  double start_s = 0, end_s = 0;  ///< seconds after the start
  bool last = false;        ///< the part period in which the run ended
  const IntervalData* data = nullptr;
};

/// Calls `on_tick(k)` at start + k * period, k = 1, 2, ..., until stop().
class IntervalTicker {
 public:
  IntervalTicker(Timers& timers, TimePoint start, Duration period, std::function<void(std::int64_t)> on_tick);
  void begin() { arm(); }
  void stop() { stopped_ = true; }
  /// The tick the interval holding `t` ends with.
  std::int64_t tick_of(TimePoint t) const { return (t - start_) / period_ + 1; }

 private:
  void arm();
  Timers& timers_;
  TimePoint start_;
  Duration period_;
  std::function<void(std::int64_t)> on_tick_;
  std::int64_t next_ = 1;
  bool stopped_ = false;
};

class Sampler {
 public:
  Sampler(int workers, std::size_t steps, Duration period = std::chrono::seconds(1));

  /// Worker `worker`'s figures for the interval ending with tick `tick`.
  /// `last`: the worker has ended, `end_s` seconds after the start, and
  /// these are its figures since its last tick. Thread-safe.
  void deliver(int worker, std::int64_t tick, IntervalData data, bool last, double end_s);

  /// Emits every point, in order, as soon as each is complete: every worker
  /// has delivered it, or has ended. Returns after the
  /// last point, once every worker has ended. The last point is left out
  /// when it lasts under a millisecond.
  void run(const std::function<void(const Interval&)>& emit);

 private:
  struct Pending {
    IntervalData data;
    double last_end_s = 0;
  };
  bool complete(std::int64_t tick) const;
  bool all_ended() const;

  const std::size_t steps_;
  const double period_s_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::int64_t> delivered_;  ///< per worker: the highest regular tick delivered
  std::vector<std::int64_t> last_tick_;  ///< per worker: the tick of its last figures, 0 while it runs
  std::map<std::int64_t, Pending> pending_;
  std::int64_t next_ = 1;
};

}  // namespace tollgate::exec
