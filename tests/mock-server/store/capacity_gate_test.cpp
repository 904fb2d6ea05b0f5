// The model-server capacity model on a fake clock: N at once, a FIFO
// queue whose wait is what a request's first token is late by, refusals
// beyond it with the time until a slot frees.
#include "mock-server/store/capacity_gate.h"

#include <gtest/gtest.h>

namespace tollgate::mock {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(CapacityGate, RunsNAtOnceQueuesInOrderAndRefusesBeyondTheQueue) {
  CapacityGate gate({2, 3, 429});
  const CapacityGate::TimePoint t0{seconds(100)};
  const microseconds service = milliseconds(400);
  // Two start at once; three wait: the first two for a slot at 400 ms,
  // the third for the next at 800 ms.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(gate.admit(t0, service).wait, microseconds(0));
  EXPECT_EQ(gate.admit(t0, service).wait, milliseconds(400));
  EXPECT_EQ(gate.admit(t0, service).wait, milliseconds(400));
  EXPECT_EQ(gate.admit(t0, service).wait, milliseconds(800));
  const Admission refused = gate.admit(t0, service);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after_s, 1);  // a slot frees in 400 ms: at least 1 s
  auto load = gate.load(t0);
  EXPECT_EQ(load.in_flight, 2);
  EXPECT_EQ(load.queued, 3);
  EXPECT_EQ(load.admitted, 5);
  EXPECT_EQ(load.refused, 1);
  // At 400 ms the first two are done, the next two run, one still waits.
  load = gate.load(t0 + milliseconds(400));
  EXPECT_EQ(load.in_flight, 2);
  EXPECT_EQ(load.queued, 1);
  // There is room in the queue again: a request now starts when the third
  // ends, at 800 ms.
  EXPECT_EQ(gate.admit(t0 + milliseconds(400), service).wait, milliseconds(400));
  // Much later: idle, nothing waits.
  load = gate.load(t0 + seconds(10));
  EXPECT_EQ(load.in_flight, 0);
  EXPECT_EQ(load.queued, 0);
  EXPECT_EQ(gate.admit(t0 + seconds(10), service).wait, microseconds(0));
}

TEST(CapacityGate, ThroughputIsConcurrencyOverServiceTime) {
  // Offered 2x what 4 slots of 100 ms can serve (40/s), for 10 s with a
  // long queue: what was admitted finishes at the capacity's pace.
  CapacityGate gate({4, 1000000, 503});
  const CapacityGate::TimePoint t0{seconds(1)};
  CapacityGate::TimePoint last_end = t0;
  for (int i = 0; i < 800; ++i) {
    const auto at = t0 + microseconds(i * 12500);
    const Admission a = gate.admit(at, milliseconds(100));
    ASSERT_TRUE(a.admitted);
    last_end = std::max(last_end, at + a.wait + milliseconds(100));
  }
  // 800 requests at 40/s take 20 s, from when the fourth slot started
  // (the fourth arrival, at 37.5 ms): the slots are never idle.
  EXPECT_EQ(last_end - t0, microseconds(37500) + seconds(20));
  // No queue: a full gate refuses at once, with the time a slot frees.
  CapacityGate tight({1, 0, 503});
  EXPECT_TRUE(tight.admit(t0, seconds(5)).admitted);
  const Admission no = tight.admit(t0 + milliseconds(1), seconds(5));
  EXPECT_FALSE(no.admitted);
  EXPECT_EQ(no.retry_after_s, 5);
  // Unlimited (no capacity): never waits.
  CapacityGate open({0, 0, 429});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(open.admit(t0, seconds(1)).wait, microseconds(0));
}

}  // namespace
}  // namespace tollgate::mock
