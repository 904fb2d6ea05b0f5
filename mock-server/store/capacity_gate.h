#pragma once
// A model server's capacity: at most `concurrency` generations at once;
// further requests wait in a FIFO queue of at most `queue` (their time to
// first token includes the wait); beyond the queue, refused. Every
// generation's length is known when it is admitted (the mock plans its
// answer first), so the gate is exact in virtual time: each of the N
// slots is free from some instant on, a request starts on the slot free
// first, at that instant or now, and holds it for its planned time. The
// time is passed in, so the gate runs on a fake clock in tests.
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <queue>
#include <vector>

#include "mock-server/model/fixture.h"

namespace tollgate::mock {

struct Admission {
  bool admitted = true;
  std::chrono::microseconds wait{0};  ///< in the queue, before the generation starts
  std::int64_t retry_after_s = 0;     ///< refused: seconds until a slot frees (at least 1)
};

struct CapacityLoad {
  std::int64_t in_flight = 0, queued = 0;
  std::int64_t admitted = 0, queued_ever = 0, refused = 0;  ///< since the start
};

class CapacityGate {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit CapacityGate(CapacitySpec spec);

  /// A generation that takes `service` once started, asked for at `now`.
  Admission admit(TimePoint now, std::chrono::microseconds service);
  CapacityLoad load(TimePoint now);
  const CapacitySpec& spec() const { return spec_; }

 private:
  void forget_past(TimePoint now);

  CapacitySpec spec_;
  std::mutex mutex_;
  std::priority_queue<TimePoint, std::vector<TimePoint>, std::greater<>> free_at_;  ///< one per slot
  std::deque<TimePoint> starts_;  ///< the queued requests' start times, in order (they only grow)
  std::priority_queue<TimePoint, std::vector<TimePoint>, std::greater<>> ends_;  ///< unfinished generations
  CapacityLoad totals_;
};

}  // namespace tollgate::mock
