#include "harness/exec/schedule.h"

#include <gtest/gtest.h>

namespace tollgate::exec {
namespace {

using namespace std::chrono;

std::vector<double> all_seconds(ArrivalSchedule s) {
  std::vector<double> out;
  while (auto t = s.next()) out.push_back(duration<double>(*t).count());
  return out;
}

TEST(Schedule, ConstantRateIsExact) {
  const auto t = all_seconds(ArrivalSchedule({{seconds(2), 100, 100}}, false));
  ASSERT_EQ(t.size(), 200u);
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(t[i], i / 100.0, 1e-9) << i;
}

TEST(Schedule, RampingRateFollowsTheIntegral) {
  // 0 -> 100/s over 10 s: N(t) = 5 t^2, so arrival i at sqrt(i / 5).
  const auto t = all_seconds(ArrivalSchedule({{seconds(10), 0, 100}}, false));
  ASSERT_EQ(t.size(), 500u);
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_NEAR(t[i], std::sqrt(i / 5.0), 1e-6) << i;
  // Two stages: 100/s flat for 1 s, then 100 -> 300/s over 1 s (200 arrivals).
  const auto two = all_seconds(ArrivalSchedule({{seconds(1), 100, 100}, {seconds(1), 100, 300}}, false));
  ASSERT_EQ(two.size(), 300u);
  EXPECT_NEAR(two[100], 1.0, 1e-9);
  // In the ramp N(t) = 100 t + 100 t^2: 150 arrivals at t ~ 0.8229.
  EXPECT_NEAR(two[250], 1.0 + (-100 + std::sqrt(100.0 * 100 + 4 * 100 * 150)) / 200, 1e-6);
}

TEST(Schedule, WorkersSplitTheSameSequence) {
  std::vector<double> merged;
  for (unsigned w = 0; w < 3; ++w) {
    const auto part = all_seconds(ArrivalSchedule({{seconds(1), 90, 90}}, false, 1, {w, 3}));
    EXPECT_EQ(part.size(), 30u);
    merged.insert(merged.end(), part.begin(), part.end());
  }
  std::sort(merged.begin(), merged.end());
  EXPECT_EQ(merged, all_seconds(ArrivalSchedule({{seconds(1), 90, 90}}, false)));
}

// Gamma arrivals have the asked mean and coefficient of variation (within
// 2% over 100,000 arrivals), as bursty or as regular as asked.
TEST(Schedule, GammaHasTheAskedMeanAndBurstiness) {
  for (double cv : {0.5, 1.0, 3.0}) {
    ArrivalSchedule s({{seconds(100), 1000, 1000}}, false, 7);
    s.set_gamma(cv);
    const auto t = all_seconds(s);
    ASSERT_GT(t.size(), 90'000u) << cv;
    double sum = 0, sum2 = 0;
    for (std::size_t i = 1; i < t.size(); ++i) {
      const double gap = t[i] - t[i - 1];
      sum += gap;
      sum2 += gap * gap;
    }
    const double n = static_cast<double>(t.size() - 1), mean = sum / n;
    const double cv_seen = std::sqrt(sum2 / n - mean * mean) / mean;
    EXPECT_NEAR(mean, 0.001, 0.001 * 0.02) << cv;
    EXPECT_NEAR(cv_seen, cv, cv * 0.02) << cv;
    EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
    // Split across workers, the union is the single sequence.
    std::vector<double> merged;
    for (unsigned w = 0; w < 3; ++w) {
      ArrivalSchedule part({{seconds(100), 1000, 1000}}, false, 7, {w, 3});
      part.set_gamma(cv);
      const auto p = all_seconds(part);
      merged.insert(merged.end(), p.begin(), p.end());
    }
    std::sort(merged.begin(), merged.end());
    EXPECT_EQ(merged, t) << cv;
  }
}

TEST(Schedule, PoissonHasTheRightMeanAndIsSeeded) {
  const auto t = all_seconds(ArrivalSchedule({{seconds(100), 1000, 1000}}, true, 42));
  // 100,000 expected; the standard deviation is sqrt(100000) ~ 316.
  EXPECT_NEAR(static_cast<double>(t.size()), 100'000, 1500);
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  EXPECT_EQ(t, all_seconds(ArrivalSchedule({{seconds(100), 1000, 1000}}, true, 42)));
  // Split across workers, the union is the single sequence.
  std::size_t split = 0;
  for (unsigned w = 0; w < 2; ++w) split += all_seconds(ArrivalSchedule({{seconds(100), 1000, 1000}}, true, 42, {w, 2})).size();
  EXPECT_EQ(split, t.size());
  // A ramp under Poisson arrivals averages the ramp's rate.
  const auto ramp = all_seconds(ArrivalSchedule({{seconds(100), 0, 2000}}, true, 9));
  EXPECT_NEAR(static_cast<double>(ramp.size()), 100'000, 1500);
}

TEST(Schedule, RateAtAndTotals) {
  ArrivalSchedule s({{seconds(10), 0, 100}, {seconds(10), 100, 100}}, false);
  EXPECT_DOUBLE_EQ(s.rate_at(seconds(5)), 50);
  EXPECT_DOUBLE_EQ(s.rate_at(seconds(15)), 100);
  EXPECT_DOUBLE_EQ(s.expected_total(), 1500);
  EXPECT_EQ(s.duration(), seconds(20));
}

}  // namespace
}  // namespace tollgate::exec
