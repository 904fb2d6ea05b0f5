#pragma once
// A target for executor tests on fake timers: each iteration it is given
// takes `service` (0: ends at once), and it records when each started.
#include <chrono>
#include <vector>

#include "harness/exec/timers.h"
#include "tests/support/fake_timers.h"

namespace tollgate::test {

using namespace std::chrono;
using exec::Executor;
using exec::IterationStart;
using exec::StartIteration;
using exec::TimePoint;

// A target that takes `service` to answer each iteration; it records when
// each one started and what it was meant for.
struct FakeTarget {
  FakeTarget(FakeTimers& t, nanoseconds s) : timers(t), service(s) {}
  FakeTimers& timers;
  nanoseconds service;
  Executor* executor = nullptr;
  std::vector<IterationStart> started;
  std::vector<TimePoint> sent_at;
  std::vector<bool> busy = std::vector<bool>(64, false);
  bool shared_slot = false;  ///< a slot was given out while its iteration ran

  void finish(int slot) {
    busy[static_cast<std::size_t>(slot)] = false;
    executor->done(slot);
  }
  StartIteration start() {
    return [this](const IterationStart& s) {
      started.push_back(s);
      sent_at.push_back(timers.now());
      const int slot = s.slot;
      shared_slot = shared_slot || busy[static_cast<std::size_t>(slot)];
      busy[static_cast<std::size_t>(slot)] = true;
      if (service.count() == 0)
        finish(slot);
      else
        timers.at(timers.now() + service, [this, slot] { finish(slot); });
    };
  }
};

}  // namespace tollgate::test
