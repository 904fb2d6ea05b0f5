// The open model on a fake clock: arrivals, late and missed sends, exactly.
#include "harness/exec/open_model.h"

#include <gtest/gtest.h>

#include "tests/harness/exec/fake_target.h"

namespace tollgate::exec {
namespace {

using namespace std::chrono;
using test::FakeClock;
using test::FakeTarget;
using test::FakeTimers;

struct OpenRun {
  FakeClock clock;
  FakeTimers timers{clock};
  FakeTarget target;
  std::unique_ptr<OpenModel> model;

  OpenRun(double rps, nanoseconds duration, int cap, nanoseconds service) : target{timers, service} {
    const TimePoint start = clock.now();
    model = std::make_unique<OpenModel>(ArrivalSchedule({{duration, rps, rps}}, false), start, start + duration, cap, 0,
                                        timers, target.start());
    target.executor = model.get();
    model->begin();
  }
};

TEST(OpenModel, SendsEveryArrivalAtItsIntendedTime) {
  OpenRun run(500, seconds(2), 100, milliseconds(1));
  const TimePoint start = run.clock.now();
  run.timers.run();
  ASSERT_EQ(run.target.started.size(), 1000u);
  for (std::size_t i = 0; i < run.target.started.size(); ++i) {
    EXPECT_EQ(run.target.started[i].intended, start + milliseconds(2) * static_cast<int>(i)) << i;
    EXPECT_EQ(run.target.sent_at[i], run.target.started[i].intended) << i;
  }
  EXPECT_EQ(run.model->counts().late, 0);
  EXPECT_EQ(run.model->counts().missed, 0);
  EXPECT_FALSE(run.model->running());
  EXPECT_EQ(run.model->in_flight(), 0);
}

// 50/s for 1 s, two slots, 200 ms a request: two go out every 200 ms; the
// rest wait for a slot (late), and the one still waiting at the end is
// missed with every arrival behind it.
TEST(OpenModel, ASlowTargetMakesLateAndMissedSendsExactly) {
  OpenRun run(50, seconds(1), 2, milliseconds(200));
  const TimePoint start = run.clock.now();
  run.timers.run();
  const auto& sent = run.target.sent_at;
  ASSERT_EQ(sent.size(), 10u);
  const int expected_ms[] = {0, 20, 200, 220, 400, 420, 600, 620, 800, 820};
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i], start + milliseconds(expected_ms[i])) << i;
    EXPECT_EQ(run.target.started[i].intended, start + milliseconds(20) * static_cast<int>(i)) << i;
  }
  EXPECT_EQ(run.model->counts().late, 8);
  EXPECT_EQ(run.model->counts().missed, 40);
  EXPECT_EQ(static_cast<std::int64_t>(sent.size()) + run.model->counts().missed, 50) << "every arrival accounted for";
}

TEST(OpenModel, SlotsAreReusedAndNeverShared) {
  OpenRun run(100, seconds(1), 3, milliseconds(25));
  run.timers.run();
  for (const auto& s : run.target.started) {
    ASSERT_GE(s.slot, 0);
    ASSERT_LT(s.slot, 3);
  }
  EXPECT_FALSE(run.target.shared_slot);
  EXPECT_EQ(run.target.started.size(), 100u);
  EXPECT_EQ(run.model->counts().late, 0) << "3 slots of 25 ms carry 100/s";
}

TEST(OpenModel, AStopStartsNothingMoreAndMissesNothing) {
  OpenRun run(100, seconds(10), 10, milliseconds(1));
  const TimePoint start = run.clock.now();
  run.timers.run_until(start + milliseconds(495));
  EXPECT_EQ(run.target.started.size(), 50u);
  run.model->stop();
  run.timers.run();
  EXPECT_EQ(run.target.started.size(), 50u);
  EXPECT_EQ(run.model->counts().missed, 0);
  EXPECT_FALSE(run.model->running());
}

TEST(OpenModel, ARampFromZeroSendsItsIntegral) {
  FakeClock clock;
  FakeTimers timers(clock);
  FakeTarget target{timers, nanoseconds(0)};
  const TimePoint start = clock.now();
  OpenModel model(ArrivalSchedule({{seconds(10), 0, 100}}, false), start, start + seconds(10), 10, 0, timers,
                  target.start());
  target.executor = &model;
  model.begin();
  timers.run();
  EXPECT_EQ(target.started.size(), 500u);  // the area under 0 -> 100/s over 10 s
  // Arrivals come closer together as the rate grows.
  const auto first_gap = target.sent_at[1] - target.sent_at[0];
  const auto last_gap = target.sent_at[499] - target.sent_at[498];
  EXPECT_GT(first_gap, last_gap * 10);
}

}  // namespace
}  // namespace tollgate::exec
