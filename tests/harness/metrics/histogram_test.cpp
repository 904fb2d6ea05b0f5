#include "harness/metrics/histogram.h"

#include <random>

#include <gtest/gtest.h>

namespace tollgate::metrics {
namespace {

TEST(Histogram, LayoutMatchesHdrHistogram) {
  // HdrHistogram's published layout for 1..3,600,000,000 at 3 digits.
  Histogram h(3'600'000'000, 3);
  EXPECT_EQ(h.counts_length(), 23552u);
  // 2 digits: 256 sub-buckets, 25 buckets -> 26 * 128.
  EXPECT_EQ(Histogram(3'600'000'000, 2).counts_length(), 3328u);
  // Values below 2048 are exact; above, buckets double.
  EXPECT_EQ(h.lowest_equivalent(2047), 2047);
  EXPECT_EQ(h.highest_equivalent(2047), 2047);
  EXPECT_EQ(h.lowest_equivalent(2049), 2048);
  EXPECT_EQ(h.highest_equivalent(2049), 2049);
  EXPECT_EQ(h.lowest_equivalent(10007), 10000);
  EXPECT_EQ(h.highest_equivalent(10007), 10007);
  EXPECT_EQ(h.lowest_equivalent(1'000'000), 999'936);
  EXPECT_EQ(h.highest_equivalent(1'000'000), 1'000'447);
}

TEST(Histogram, RecordRejectsOutOfRangeLikeHdr) {
  Histogram h(3'600'000'000, 3);
  EXPECT_TRUE(h.record(0));
  EXPECT_TRUE(h.record(3'600'000'000));
  EXPECT_FALSE(h.record(3'600'000'001 * 2));
  EXPECT_FALSE(h.record(-1));
  EXPECT_EQ(h.total_count(), 2);
}

TEST(Histogram, PercentilesWithinThreeDigits) {
  Histogram h;
  for (int v = 1; v <= 100'000; ++v) h.record(v);  // uniform 1..100000 µs
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const double truth = p / 100.0 * 100'000;
    EXPECT_NEAR(h.value_at_percentile(p), truth, truth * 0.001 + 1) << p;
  }
  EXPECT_EQ(h.value_at_percentile(100), h.max());
  EXPECT_NEAR(h.max(), 100'000, 100);
  EXPECT_EQ(h.min(), 1);
  EXPECT_NEAR(h.mean(), 50'000.5, 50);
}

TEST(Histogram, MergeIsLossless) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(8.0, 1.5);
  Histogram all, a, b, c;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<std::int64_t>(dist(rng));
    all.record(v);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).record(v);
  }
  Histogram merged;
  EXPECT_EQ(merged.add(a), 0);
  merged.add(b);
  merged.add(c);
  EXPECT_EQ(merged.counts(), all.counts());
  EXPECT_EQ(merged.total_count(), all.total_count());
  for (double p : {50.0, 99.0, 99.99}) EXPECT_EQ(merged.value_at_percentile(p), all.value_at_percentile(p));
  EXPECT_EQ(merged.max(), all.max());
}

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.value_at_percentile(99), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0);
}

}  // namespace
}  // namespace tollgate::metrics
