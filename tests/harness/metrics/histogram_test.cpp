#include "harness/metrics/histogram.h"

#include <set>

#include <random>

#include <gtest/gtest.h>

#include "harness/metrics/hdr_codec.h"

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

// A histogram holding few distinct values keeps them sparse; one that has
// held many keeps the full array. Users must not be able to tell.
void expect_same(const Histogram& a, const Histogram& b) {
  EXPECT_EQ(a.counts(), b.counts());
  EXPECT_EQ(a.total_count(), b.total_count());
  for (double p : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 100.0})
    EXPECT_EQ(a.value_at_percentile(p), b.value_at_percentile(p)) << p;
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_DOUBLE_EQ(a.mean(), b.mean());
  EXPECT_EQ(encode_histogram(a), encode_histogram(b));
}

Histogram dense_empty() {
  Histogram h;
  for (std::int64_t v = 0; v < static_cast<std::int64_t>(Histogram::kSparseMax) + 10; ++v) h.record(v);
  h.reset();  // keeps its full array
  return h;
}

TEST(Histogram, SparseAndDenseGiveTheSameAnswers) {
  const std::vector<std::int64_t> values = {0, 1, 1, 2047, 2049, 10007, 1'000'000, 1'000'000, 3'600'000'000};
  Histogram sparse, dense = dense_empty();
  for (auto v : values) {
    sparse.record(v);
    dense.record(v);
  }
  sparse.record(77, 0);  // a count of none is kept by neither
  dense.record(77, 0);
  expect_same(sparse, dense);
  auto back = decode_histogram(encode_histogram(sparse));
  ASSERT_TRUE(back.has_value());
  expect_same(*back, dense);
}

TEST(Histogram, CrossingTheSparseLimitLosesNothing) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(9.0, 2.0);
  std::vector<std::int64_t> values;
  Histogram one_by_one, all = dense_empty();
  while (std::set<std::int64_t>(values.begin(), values.end()).size() < 3 * Histogram::kSparseMax) {
    values.push_back(one_by_one.lowest_equivalent(static_cast<std::int64_t>(dist(rng))));
    one_by_one.record(values.back());
    all.record(values.back());
  }
  expect_same(one_by_one, all);

  // Merging a sparse one into a dense one, a dense one into a sparse one.
  Histogram small, big;
  for (std::size_t i = 0; i < values.size(); ++i) (i < 40 ? small : big).record(values[i]);
  Histogram sparse_into_dense = big, dense_into_sparse = small;
  EXPECT_EQ(sparse_into_dense.add(small), 0);
  EXPECT_EQ(dense_into_sparse.add(big), 0);
  expect_same(sparse_into_dense, all);
  expect_same(dense_into_sparse, all);

  // Two sparse ones that hold more than the limit together.
  const std::set<std::int64_t> distinct(values.begin(), values.end());
  Histogram lo, hi, both = dense_empty();
  std::size_t n = 0;
  for (auto v : distinct) {
    if (n >= 2 * (Histogram::kSparseMax - 1)) break;
    (n++ % 2 ? hi : lo).record(v, 3);
    both.record(v, 3);
  }
  EXPECT_EQ(lo.add(hi), 0);
  expect_same(lo, both);
}

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.value_at_percentile(99), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0);
}

}  // namespace
}  // namespace tollgate::metrics
