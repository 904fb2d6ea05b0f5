// The closed model on a fake clock: virtual users, iteration budgets,
// think time and ramps, exactly.
#include "harness/exec/closed_model.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/harness/exec/fake_target.h"

namespace tollgate::exec {
namespace {

using namespace std::chrono;
using test::FakeClock;
using test::FakeTarget;
using test::FakeTimers;

struct ClosedRun {
  FakeClock clock;
  FakeTimers timers{clock};
  FakeTarget target;
  std::unique_ptr<ClosedModel> model;
  TimePoint start;

  ClosedRun(ClosedModel::Options o, nanoseconds service) : target{timers, service}, start(clock.now()) {
    o.start = start;
    if (o.end == TimePoint{}) o.end = start + seconds(1);
    model = std::make_unique<ClosedModel>(std::move(o), timers, target.start());
    target.executor = model.get();
    model->begin();
  }
  std::map<int, int> per_vu() const {
    std::map<int, int> out;
    for (const auto& s : target.started) ++out[s.vu];
    return out;
  }
};

ClosedModel::Options vus(std::vector<int> v) {
  ClosedModel::Options o;
  o.vus = std::move(v);
  return o;
}

TEST(ClosedModel, EachUserLoopsUntilTheEnd) {
  ClosedRun run(vus({0, 2, 4}), milliseconds(100));
  run.timers.run();
  EXPECT_EQ(run.target.started.size(), 30u);  // 3 users x 10 iterations of 100 ms in 1 s
  EXPECT_EQ(run.per_vu(), (std::map<int, int>{{0, 10}, {2, 10}, {4, 10}}));
  for (const auto& s : run.target.started) EXPECT_EQ(s.intended, run.target.sent_at[&s - &run.target.started[0]]);
  EXPECT_FALSE(run.model->running());
  EXPECT_EQ(run.model->in_flight(), 0);
  EXPECT_FALSE(run.target.shared_slot);
}

TEST(ClosedModel, TheIterationBudgetIsSharedAndExact) {
  std::atomic<std::int64_t> budget{7};
  auto o = vus({0, 1, 2});
  o.budget = &budget;
  o.end = FakeClock().now() + hours(1);
  ClosedRun a(o, milliseconds(10));
  a.timers.run();
  EXPECT_EQ(a.target.started.size(), 7u);
  EXPECT_FALSE(a.model->running());
}

TEST(ClosedModel, ThinkTimeSpacesIterations) {
  auto o = vus({0});
  o.think_time = milliseconds(240);
  ClosedRun run(o, milliseconds(10));
  run.timers.run();
  // Starts at 0, 250, 500, 750 ms: 10 ms of work and 240 ms of thought.
  ASSERT_EQ(run.target.sent_at.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(run.target.sent_at[static_cast<std::size_t>(i)], run.start + milliseconds(250) * i);
}

// 0 -> 10 VUs over 10 s: VU g joins the moment the ramp passes g, and one
// beyond the target waits without polling.
TEST(ClosedModel, RampingUsersJoinExactlyWhenTheRampReachesThem) {
  auto o = vus({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  o.ramp.emplace(0, std::vector<std::pair<Duration, double>>{{seconds(10), 10}});
  o.end = FakeClock().now() + seconds(10);
  ClosedRun run(o, milliseconds(500));
  run.timers.run();
  std::map<int, TimePoint> first;
  for (std::size_t i = 0; i < run.target.started.size(); ++i)
    first.try_emplace(run.target.started[i].vu, run.target.sent_at[i]);
  ASSERT_EQ(first.size(), 10u);
  for (int g = 0; g < 10; ++g) {
    const auto joined = first[g] - run.start;
    EXPECT_GT(joined, seconds(g)) << g;
    EXPECT_LE(joined, seconds(g) + nanoseconds(2)) << g;
  }
  // VU 9 runs from 9 s to 10 s: two iterations of 500 ms.
  EXPECT_EQ(run.per_vu()[9], 2);
  EXPECT_EQ(run.per_vu()[0], 20);
}

TEST(ClosedModel, ARampDownRetiresUsersAboveTheTarget) {
  auto o = vus({0, 1, 2, 3});
  o.ramp.emplace(4, std::vector<std::pair<Duration, double>>{{seconds(4), 0}});  // 4 -> 0 over 4 s
  o.end = FakeClock().now() + seconds(10);
  ClosedRun run(o, milliseconds(100));
  run.timers.run();
  // VU g stops once the target falls to g or below: at (4 - g) s.
  const auto counts = run.per_vu();
  EXPECT_EQ(counts.at(3), 10);
  EXPECT_EQ(counts.at(2), 20);
  EXPECT_EQ(counts.at(0), 40);
  EXPECT_FALSE(run.model->running());
}

TEST(VuRamp, NextActiveFindsTheCrossing) {
  const VuRamp ramp(2, {{seconds(4), 6}, {seconds(2), 6}, {seconds(2), 0}});
  EXPECT_TRUE(ramp.active(1, seconds(0)));
  EXPECT_FALSE(ramp.active(2, seconds(0)));
  EXPECT_DOUBLE_EQ(ramp.at(seconds(2)), 4.0);
  const auto t = ramp.next_active(4, seconds(0));  // 2 + t -> passes 4 at t = 2 s
  ASSERT_TRUE(t);
  EXPECT_GT(*t, seconds(2));
  EXPECT_LE(*t, seconds(2) + nanoseconds(2));
  EXPECT_EQ(ramp.next_active(5, seconds(5)), seconds(5)) << "already running";
  EXPECT_FALSE(ramp.next_active(6, seconds(0))) << "the ramp never passes 6";
  EXPECT_FALSE(ramp.next_active(3, seconds(7))) << "it only falls after 6 s";
}

TEST(ClosedModel, AStopRetiresEveryUser) {
  ClosedRun run(vus({0, 1}), milliseconds(100));
  run.timers.run_until(run.start + milliseconds(250));
  run.model->stop();
  run.timers.run();
  EXPECT_EQ(run.target.started.size(), 6u);  // 0, 100, 200 ms each; the ones in flight finish
  EXPECT_FALSE(run.model->running());
}

}  // namespace
}  // namespace tollgate::exec
