#include "harness/exec/closed_model.h"

#include <cmath>

namespace tollgate::exec {

VuRamp::VuRamp(double start_vus, std::vector<std::pair<Duration, double>> stages)
    : start_(start_vus), stages_(std::move(stages)) {}

double VuRamp::at(Duration t) const {
  double from = start_;
  for (const auto& [d, target] : stages_) {
    if (t < d) return from + (target - from) * std::chrono::duration<double>(t) / std::chrono::duration<double>(d);
    t -= d;
    from = target;
  }
  return from;
}

std::optional<Duration> VuRamp::next_active(int vu, Duration t) const {
  if (active(vu, t)) return t;
  Duration stage_start{0};
  double from = start_;
  for (const auto& [d, target] : stages_) {
    const Duration stage_end = stage_start + d;
    if (stage_end > t && target > vu && target > from) {
      // Rising through vu within this stage: the first instant past the
      // crossing (a whole nanosecond, rounded up, then checked).
      const double f = (vu - from) / (target - from);
      Duration when = stage_start + Duration(static_cast<Duration::rep>(std::ceil(f * static_cast<double>(d.count()))));
      if (when < t) when = t;
      while (when < stage_end && !active(vu, when)) when += Duration(1);
      if (when < stage_end) return when;
    }
    stage_start = stage_end;
    from = target;
  }
  if (from > vu) return std::max(t, stage_start);  // the last target holds after the stages
  return std::nullopt;
}

ClosedModel::ClosedModel(Options options, Timers& timers, StartIteration start_iteration)
    : options_(std::move(options)), timers_(timers), start_iteration_(std::move(start_iteration)) {}

void ClosedModel::begin() {
  for (int slot = 0; slot < slots(); ++slot) next(slot);
}

void ClosedModel::done(int slot) {
  --in_flight_;
  if (options_.think_time.count() > 0)
    timers_.at(timers_.now() + options_.think_time, [this, slot] { next(slot); });
  else
    next(slot);
}

void ClosedModel::next(int slot) {
  const TimePoint now = timers_.now();
  auto retire = [this] { ++retired_; };
  if (stopped_ || now >= options_.end) return retire();
  const int vu = options_.vus[static_cast<std::size_t>(slot)];
  if (options_.ramp && !options_.ramp->active(vu, now - options_.start)) {
    const auto wake = options_.ramp->next_active(vu, now - options_.start);
    if (!wake || options_.start + *wake >= options_.end) return retire();
    timers_.at(options_.start + *wake, [this, slot] { next(slot); });
    return;
  }
  if (options_.budget && options_.budget->fetch_sub(1) <= 0) return retire();
  ++in_flight_;
  start_iteration_({slot, vu, now});
}

}  // namespace tollgate::exec
