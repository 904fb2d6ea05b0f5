#include "mock-server/store/capacity_gate.h"

#include <algorithm>

namespace tollgate::mock {

CapacityGate::CapacityGate(CapacitySpec spec) : spec_(spec) {
  for (int i = 0; i < spec_.concurrency; ++i) free_at_.push(TimePoint{});
}

void CapacityGate::forget_past(TimePoint now) {
  while (!starts_.empty() && starts_.front() <= now) starts_.pop_front();
  while (!ends_.empty() && ends_.top() <= now) ends_.pop();
}

Admission CapacityGate::admit(TimePoint now, std::chrono::microseconds service) {
  Admission out;
  if (spec_.concurrency <= 0) return out;
  std::lock_guard lock(mutex_);
  forget_past(now);
  const TimePoint first_free = free_at_.top();
  const TimePoint start = std::max(now, first_free);
  if (start > now && static_cast<int>(starts_.size()) >= spec_.queue) {
    out.admitted = false;
    const auto until = std::chrono::duration_cast<std::chrono::seconds>(first_free - now + std::chrono::seconds(1) -
                                                                        std::chrono::nanoseconds(1));
    out.retry_after_s = std::max<std::int64_t>(1, until.count());
    ++totals_.refused;
    return out;
  }
  free_at_.pop();
  free_at_.push(start + service);
  ends_.push(start + service);
  if (start > now) {
    starts_.push_back(start);
    ++totals_.queued_ever;
  }
  ++totals_.admitted;
  out.wait = std::chrono::duration_cast<std::chrono::microseconds>(start - now);
  return out;
}

CapacityLoad CapacityGate::load(TimePoint now) {
  std::lock_guard lock(mutex_);
  forget_past(now);
  CapacityLoad out = totals_;
  out.queued = static_cast<std::int64_t>(starts_.size());
  out.in_flight = static_cast<std::int64_t>(ends_.size()) - out.queued;
  return out;
}

}  // namespace tollgate::mock
