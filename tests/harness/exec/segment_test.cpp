// Execution segments on the fake clock: for every executor, the N
// segments of a run (each split again over its workers) together start
// exactly the iterations the single run starts - the same intended times,
// arrival numbers and virtual users, none twice, none lost.
#include "harness/exec/segment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <tuple>

#include "harness/exec/closed_model.h"
#include "harness/exec/open_model.h"
#include "tests/harness/exec/fake_target.h"

namespace tollgate::exec {
namespace {

using namespace std::chrono;
using test::FakeClock;
using test::FakeTarget;
using test::FakeTimers;

// What an iteration start is, without its slot (which runner runs it is
// the worker's business): intended time from the start, number, VU.
using Started = std::tuple<std::int64_t, std::int64_t, int>;

TEST(Segment, ParsesIndexSlashCount) {
  const auto s = parse_segment("2/7");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 2u);
  EXPECT_EQ(s->count, 7u);
  EXPECT_EQ(s->to_string(), "2/7");
  for (const char* bad : {"", "3", "4/4", "5/4", "-1/4", "1/0", "a/4", "1/b", "1/4x", "/4", "1/"}) {
    std::string error;
    EXPECT_FALSE(parse_segment(bad, &error)) << bad;
    EXPECT_NE(error.find("expected I/N"), std::string::npos) << error;
  }
}

TEST(Segment, SharesAddToTheWholeAndNumberItOnce) {
  for (unsigned n = 1; n <= 7; ++n)
    for (std::int64_t total = 0; total <= 50; ++total) {
      std::int64_t sum = 0;
      std::vector<std::int64_t> numbers;
      for (unsigned i = 0; i < n; ++i) {
        const Segment s{i, n};
        const auto share = s.share(total);
        EXPECT_LE(share, (total + n - 1) / n);
        EXPECT_GE(share, total / n);
        sum += share;
        for (std::int64_t k = 0; k < share; ++k) numbers.push_back(s.global(k));
      }
      EXPECT_EQ(sum, total);
      std::sort(numbers.begin(), numbers.end());
      for (std::int64_t k = 0; k < total; ++k) ASSERT_EQ(numbers[static_cast<std::size_t>(k)], k);
    }
}

// The open model of one worker of one segment, run to its end on a fake
// clock: what it started.
std::vector<Started> open_run(std::vector<RateStage> stages, bool poisson, double gamma_cv, Stripe stripe) {
  FakeClock clock;
  FakeTimers timers{clock};
  FakeTarget target{timers, milliseconds(1)};
  const TimePoint start = clock.now();
  nanoseconds length{0};
  for (const auto& s : stages) length += s.duration;
  ArrivalSchedule schedule(std::move(stages), poisson, 77, stripe);
  if (gamma_cv > 0) schedule.set_gamma(gamma_cv);
  OpenModel model(std::move(schedule), start, start + length, 64, 0, timers, target.start());
  target.executor = &model;
  model.begin();
  timers.run();
  EXPECT_EQ(model.counts().missed, 0);
  std::vector<Started> out;
  for (const auto& s : target.started)
    out.emplace_back(duration_cast<nanoseconds>(s.intended - start).count(), s.iteration, 0);
  return out;
}

void expect_segments_make_the_run(const std::vector<RateStage>& stages, bool poisson, double gamma_cv) {
  auto single = open_run(stages, poisson, gamma_cv, {});
  ASSERT_GT(single.size(), 100u);
  std::sort(single.begin(), single.end());
  for (std::size_t k = 0; k < single.size(); ++k) ASSERT_EQ(std::get<1>(single[k]), static_cast<std::int64_t>(k));
  for (unsigned n = 1; n <= 7; ++n) {
    std::vector<Started> all;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned workers = 1 + (i % 3);  // segments on machines of different sizes
      std::size_t mine = 0;
      for (unsigned w = 0; w < workers; ++w) {
        const auto part = open_run(stages, poisson, gamma_cv, Stripe::of({i, n}, w, workers));
        for (const auto& s : part) EXPECT_EQ(static_cast<unsigned>(std::get<1>(s) % n), i);
        mine += part.size();
        all.insert(all.end(), part.begin(), part.end());
      }
      // The segment's share of the arrivals, within one of an even split.
      EXPECT_NEAR(static_cast<double>(mine), static_cast<double>(single.size()) / n, 1.0) << i << "/" << n;
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, single) << n << " segments";
  }
}

TEST(Segment, ConstantArrivalsAreTheSingleRunsArrivals) {
  expect_segments_make_the_run({{seconds(3), 101, 101}}, false, 0);
}

TEST(Segment, RampingArrivalsAreTheSingleRunsArrivals) {
  expect_segments_make_the_run({{seconds(2), 0, 150}, {seconds(1), 150, 150}, {seconds(2), 150, 20}}, false, 0);
}

TEST(Segment, PoissonArrivalsAreTheSameSeededSequencePartitioned) {
  expect_segments_make_the_run({{seconds(2), 200, 200}, {seconds(1), 200, 50}}, true, 0);
}

TEST(Segment, GammaArrivalsAreTheSameSeededSequencePartitioned) {
  expect_segments_make_the_run({{seconds(3), 120, 120}}, false, 2.5);
}

// The closed model of one worker of one segment: what its VUs started.
std::vector<Started> closed_run(int total_vus, std::optional<VuRamp> ramp, std::atomic<std::int64_t>* budget,
                                Stripe stripe) {
  FakeClock clock;
  FakeTimers timers{clock};
  FakeTarget target{timers, milliseconds(70)};
  ClosedModel::Options o;
  o.vus = stripe.items(total_vus);
  o.start = clock.now();
  o.end = o.start + seconds(3);
  o.ramp = std::move(ramp);
  o.budget = budget;
  o.think_time = milliseconds(13);
  const TimePoint start = o.start;
  ClosedModel model(std::move(o), timers, target.start());
  target.executor = &model;
  model.begin();
  timers.run();
  std::vector<Started> out;
  for (const auto& s : target.started)
    out.emplace_back(duration_cast<nanoseconds>(s.intended - start).count(), -1, s.vu);
  return out;
}

void expect_vus_make_the_run(int total_vus, const std::optional<VuRamp>& ramp) {
  auto single = closed_run(total_vus, ramp, nullptr, {});
  ASSERT_GT(single.size(), 100u);
  std::sort(single.begin(), single.end());
  for (unsigned n = 1; n <= 7; ++n) {
    std::vector<Started> all;
    std::vector<int> vus;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned workers = 1 + (i % 2);
      for (unsigned w = 0; w < workers; ++w) {
        const auto stripe = Stripe::of({i, n}, w, workers);
        for (const int v : stripe.items(total_vus)) vus.push_back(v);
        const auto part = closed_run(total_vus, ramp, nullptr, stripe);
        all.insert(all.end(), part.begin(), part.end());
      }
    }
    std::sort(vus.begin(), vus.end());
    ASSERT_EQ(vus.size(), static_cast<std::size_t>(total_vus)) << "no VU twice, none lost";
    for (int v = 0; v < total_vus; ++v) ASSERT_EQ(vus[static_cast<std::size_t>(v)], v);
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, single) << n << " segments";
  }
}

TEST(Segment, ConstantVusAreTheSingleRunsVus) { expect_vus_make_the_run(10, std::nullopt); }

TEST(Segment, RampingVusFollowTheStagesSummedOverSegments) {
  // 0 -> 9 VUs over 1 s, hold, down to 2: the VUs active at any instant,
  // summed over the segments, are the single run's.
  expect_vus_make_the_run(9, VuRamp(0, {{seconds(1), 9}, {seconds(1), 9}, {seconds(1), 2}}));
}

TEST(Segment, SharedIterationsArePartitionedExactly) {
  // 5 VUs: from 6 segments on, some segments have no VU; their share of
  // the budget must go to those that do.
  const std::int64_t total = 101;
  const int vus = 5;
  for (unsigned n = 1; n <= 7; ++n) {
    std::int64_t started = 0;
    std::vector<std::int64_t> numbers;
    for (unsigned i = 0; i < n; ++i) {
      const Segment seg = Segment{i, n}.over(vus);  // what the engine gives a closed model's segment
      std::atomic<std::int64_t> budget{seg.share(total)};
      std::int64_t mine = 0;
      for (unsigned w = 0; w < 2; ++w)
        mine += static_cast<std::int64_t>(closed_run(vus, std::nullopt, &budget, Stripe::of({i, n}, w, 2)).size());
      for (std::int64_t k = 0; k < mine; ++k) numbers.push_back(seg.global(k));
      started += mine;
    }
    EXPECT_EQ(started, total) << n << " segments";
    std::sort(numbers.begin(), numbers.end());
    for (std::int64_t k = 0; k < static_cast<std::int64_t>(numbers.size()); ++k)
      ASSERT_EQ(numbers[static_cast<std::size_t>(k)], k) << "iteration numbers as the single run's";
  }
}

}  // namespace
}  // namespace tollgate::exec
