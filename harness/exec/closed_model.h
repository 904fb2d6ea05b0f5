#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "harness/exec/timers.h"

namespace tollgate::exec {

/// The virtual users a ramping-vus scenario wants over time: `start_vus`
/// at first, then moving linearly to each stage's target over its
/// duration, and the last target after the stages.
class VuRamp {
 public:
  VuRamp(double start_vus, std::vector<std::pair<Duration, double>> stages);
  /// The target at offset `t` from the start.
  double at(Duration t) const;
  /// Whether VU `vu` (0-based) runs at `t`: vu < at(t).
  bool active(int vu, Duration t) const { return vu < at(t); }
  /// The first offset at or after `t` at which VU `vu` runs, or nothing
  /// when it never does again.
  std::optional<Duration> next_active(int vu, Duration t) const;

 private:
  double start_;
  std::vector<std::pair<Duration, double>> stages_;
};

/// The closed model (constant-vus, ramping-vus, iterations): each virtual
/// user runs one iteration after another (after `think_time`) until the
/// end, a stop, or the iteration budget runs out; a ramping VU beyond the
/// current target waits, exactly until the ramp reaches it.
class ClosedModel final : public Executor {
 public:
  struct Options {
    std::vector<int> vus;        ///< the VU numbers this worker runs; slot i runs vus[i]
    TimePoint start{}, end{};
    std::optional<VuRamp> ramp;  ///< ramping-vus
    /// Iterations left across all workers (the iterations executor, or a
    /// cap); nullptr: no budget.
    std::atomic<std::int64_t>* budget = nullptr;
    Duration think_time{0};
  };

  ClosedModel(Options options, Timers& timers, StartIteration start_iteration);

  void begin() override;
  void done(int slot) override;
  void stop() override { stopped_ = true; }
  bool running() const override { return !stopped_ && retired_ < static_cast<int>(options_.vus.size()); }
  int slots() const override { return static_cast<int>(options_.vus.size()); }

 private:
  void next(int slot);  ///< the VU in `slot` starts its next iteration, waits, or retires

  Options options_;
  Timers& timers_;
  StartIteration start_iteration_;
  int retired_ = 0;
  bool stopped_ = false;
};

}  // namespace tollgate::exec
