// The per-second series: workers' figures merged into one point a second,
// in order, the last part second included.
#include "harness/exec/sampler.h"

#include <gtest/gtest.h>

#include "tests/support/fake_timers.h"

namespace tollgate::exec {
namespace {

using namespace std::chrono;

struct Point {
  std::int64_t tick;
  double start_s, end_s;
  bool last;
  std::vector<std::int64_t> requests;
  std::int64_t in_flight, p50;
};

IntervalData data(std::int64_t requests, std::int64_t latency, std::int64_t in_flight = 0) {
  IntervalData d(1);
  d.requests[0] = requests;
  for (std::int64_t i = 0; i < requests; ++i) d.latency_us[0].record(latency);
  d.in_flight = in_flight;
  return d;
}

std::vector<Point> emitted(Sampler& s) {
  std::vector<Point> out;
  s.run([&](const Interval& iv) {
    out.push_back({iv.tick, iv.start_s, iv.end_s, iv.last, iv.data->requests, iv.data->in_flight,
                   iv.data->latency_us[0].value_at_percentile(50)});
  });
  return out;
}

TEST(Sampler, MergesWorkersSecondBySecondAndEndsWithThePartSecond) {
  Sampler s(2, 1);
  s.deliver(0, 1, data(10, 1000, 1), false, 1.0);
  s.deliver(1, 1, data(30, 3000, 2), false, 1.0);
  s.deliver(1, 2, data(5, 3000), false, 2.0);
  s.deliver(0, 2, data(5, 1000), false, 2.0);
  s.deliver(0, 3, data(1, 1000), true, 2.25);
  s.deliver(1, 3, data(2, 1000), true, 2.5);
  const auto points = emitted(s);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].requests[0], 40);
  EXPECT_EQ(points[0].in_flight, 3);
  EXPECT_EQ(points[0].p50, 3001) << "HdrHistogram's highest equivalent value of 3000 at 3 digits";
  EXPECT_DOUBLE_EQ(points[0].end_s, 1.0);
  EXPECT_EQ(points[1].requests[0], 10);
  EXPECT_TRUE(points[2].last);
  EXPECT_DOUBLE_EQ(points[2].start_s, 2.0);
  EXPECT_DOUBLE_EQ(points[2].end_s, 2.5) << "the last worker's end";
  EXPECT_EQ(points[2].requests[0], 3);
}

// A worker that ends early gives its last part second with the point it
// falls in; the others go on without waiting for it.
TEST(Sampler, AWorkerThatEndsEarlyIsNotWaitedFor) {
  Sampler s(2, 1);
  s.deliver(0, 1, data(1, 10), true, 0.5);
  s.deliver(1, 1, data(4, 10), false, 1.0);
  s.deliver(1, 2, data(4, 10), false, 2.0);
  s.deliver(1, 3, data(2, 10), true, 2.5);
  const auto points = emitted(s);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].requests[0], 5);
  EXPECT_FALSE(points[0].last);
  EXPECT_DOUBLE_EQ(points[0].end_s, 1.0);
  EXPECT_EQ(points[1].requests[0], 4);
  EXPECT_TRUE(points[2].last);
}

TEST(Sampler, AnEndOnTheSecondLeavesNoEmptyPoint) {
  Sampler s(1, 1);
  s.deliver(0, 1, data(3, 10), false, 1.0);
  s.deliver(0, 2, data(0, 10), true, 1.0005);
  const auto points = emitted(s);
  ASSERT_EQ(points.size(), 1u) << "a last part of under a millisecond is left out";
  EXPECT_EQ(points[0].requests[0], 3);
}

// A worker closes just before a tick and its thread ends just after it:
// its last figures fall in the tick after the one it never delivered.
TEST(Sampler, AWorkerThatEndsAcrossATickItDidNotSeeDoesNotHoldTheSeries) {
  Sampler s(2, 1);
  s.deliver(0, 1, data(1, 10), false, 1.0);
  s.deliver(0, 2, data(1, 10), true, 1.2);
  s.deliver(1, 2, data(3, 10), true, 1.0001);  // no tick 1 from worker 1
  const auto points = emitted(s);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].requests[0], 1);
  EXPECT_EQ(points[1].requests[0], 4);
  EXPECT_TRUE(points[1].last);
}

TEST(Sampler, PointsGoOutAsSoonAsEveryWorkerHasGivenThem) {
  Sampler s(2, 1);
  std::vector<std::int64_t> ticks;
  std::thread reporter([&] { s.run([&](const Interval& iv) { ticks.push_back(iv.tick); }); });
  s.deliver(0, 1, data(1, 10), false, 1.0);
  s.deliver(1, 1, data(1, 10), false, 1.0);
  s.deliver(0, 2, data(1, 10), true, 1.5);
  s.deliver(1, 2, data(1, 10), true, 1.7);
  reporter.join();
  EXPECT_EQ(ticks, (std::vector<std::int64_t>{1, 2}));
}

TEST(IntervalTicker, TicksOnEveryWholePeriodUntilStopped) {
  test::FakeClock clock;
  test::FakeTimers timers(clock);
  const TimePoint start = clock.now();
  std::vector<std::pair<std::int64_t, Duration>> ticks;
  IntervalTicker ticker(timers, start, seconds(1), [&](std::int64_t k) { ticks.emplace_back(k, clock.now() - start); });
  ticker.begin();
  timers.run_until(start + milliseconds(3500));
  ticker.stop();
  timers.run();
  ASSERT_EQ(ticks.size(), 3u);
  for (int k = 1; k <= 3; ++k) {
    EXPECT_EQ(ticks[static_cast<std::size_t>(k - 1)].first, k);
    EXPECT_EQ(ticks[static_cast<std::size_t>(k - 1)].second, seconds(k));
  }
  EXPECT_EQ(ticker.tick_of(start + milliseconds(3500)), 4);
  EXPECT_EQ(ticker.tick_of(start + seconds(2)), 3);
}

}  // namespace
}  // namespace tollgate::exec
