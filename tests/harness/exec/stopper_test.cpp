// The stopper on a fake clock: when a worker closes, exactly.
#include "harness/exec/stopper.h"

#include <gtest/gtest.h>

#include "tests/support/fake_timers.h"

namespace tollgate::exec {
namespace {

using namespace std::chrono;
using test::FakeClock;
using test::FakeTimers;

struct StopRun {
  FakeClock clock;
  FakeTimers timers{clock};
  std::atomic<int> flag{0};
  bool busy = true;
  std::optional<TimePoint> stopped_starting, closed;
  std::unique_ptr<Stopper> stopper;

  explicit StopRun(Duration longest = seconds(10), Duration grace = seconds(2)) {
    Stopper::Options o{clock.now(), longest, grace, milliseconds(20)};
    stopper = std::make_unique<Stopper>(timers, flag, o,
                                        Stopper::Hooks{[this] { return busy; },
                                                       [this] {
                                                         if (!stopped_starting) stopped_starting = timers.now();
                                                       },
                                                       [this] { closed = timers.now(); }});
    stopper->begin();
  }
  Duration at(TimePoint t) const { return t - stopper_start; }
  TimePoint stopper_start = clock.now();
};

TEST(Stopper, ClosesAtTheFirstLookOnceNothingIsLeft) {
  StopRun run;
  run.timers.run_until(run.clock.now() + milliseconds(100));
  EXPECT_FALSE(run.closed);
  run.busy = false;
  run.timers.run();
  ASSERT_TRUE(run.closed);
  EXPECT_EQ(run.at(*run.closed), milliseconds(120));
  EXPECT_TRUE(run.stopper->closed());
}

TEST(Stopper, AGracefulStopWaitsForWhatIsInFlightUpToTheGrace) {
  StopRun run;
  run.timers.run_until(run.clock.now() + milliseconds(1000));
  run.flag = 1;
  run.timers.run();
  ASSERT_TRUE(run.stopped_starting);
  EXPECT_EQ(run.at(*run.stopped_starting), milliseconds(1020));
  ASSERT_TRUE(run.closed);
  EXPECT_EQ(run.at(*run.closed), milliseconds(3040)) << "the first look past 1020 ms + 2 s of grace";
}

TEST(Stopper, AGracefulStopClosesAsSoonAsTheLastRequestEnds) {
  StopRun run;
  run.timers.run_until(run.clock.now() + milliseconds(500));
  run.flag = 1;
  run.timers.run_until(run.clock.now() + milliseconds(300));
  run.busy = false;
  run.timers.run();
  EXPECT_EQ(run.at(*run.closed), milliseconds(820));
}

TEST(Stopper, ASecondStopClosesAtOnce) {
  StopRun run;
  run.timers.run_until(run.clock.now() + milliseconds(500));
  run.flag = 2;
  run.timers.run();
  EXPECT_EQ(run.at(*run.closed), milliseconds(520));
  EXPECT_EQ(run.at(*run.stopped_starting), milliseconds(520));
}

TEST(Stopper, ThePlannedEndPlusGraceBoundsARunThatWillNotEnd) {
  StopRun run(seconds(1), milliseconds(500));
  run.timers.run();
  EXPECT_EQ(run.at(*run.closed), milliseconds(1520)) << "the first look past 1 s + 500 ms";
}

}  // namespace
}  // namespace tollgate::exec
