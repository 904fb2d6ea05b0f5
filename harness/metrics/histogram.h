#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace tollgate::metrics {

/// A log-linear histogram with HdrHistogram's layout and contract: values
/// from 0 to `highest` kept to `significant_digits` decimal digits, one
/// array of counts, no allocation when recording, lossless merging.
/// The default covers 1 µs to 1 hour at 3 digits (23552 counts).
class Histogram {
 public:
  explicit Histogram(std::int64_t highest = 3'600'000'000, int significant_digits = 3);

  /// Records `value` (`count` times); false when it is out of range, as
  /// HdrHistogram's record_value (the value is then not counted).
  bool record(std::int64_t value, std::int64_t count = 1);
  /// Records `value` clamped into [0, highest]: a measurement never
  /// vanishes uncounted (a latency beyond the range counts at its top, so
  /// the top percentiles read "at least the range").
  void record_saturating(std::int64_t value) { record(std::clamp<std::int64_t>(value, 0, highest_)); }
  /// Adds `other` (same layout); returns how many values were dropped
  /// because they were out of range (0 for the same layout).
  std::int64_t add(const Histogram& other);
  void reset();

  std::int64_t total_count() const { return total_; }
  /// The value at percentile `p` (0..100): the highest value equivalent to
  /// the one at that rank, as HdrHistogram reports it; 0 when empty.
  std::int64_t value_at_percentile(double p) const;
  std::int64_t min() const;
  std::int64_t max() const;
  double mean() const;

  std::size_t counts_length() const { return counts_.size(); }
  std::int64_t highest_trackable() const { return highest_; }
  int significant_digits() const { return digits_; }
  const std::vector<std::int64_t>& counts() const { return counts_; }

  std::int64_t lowest_equivalent(std::int64_t value) const;
  std::int64_t highest_equivalent(std::int64_t value) const;
  std::int64_t value_from_index(std::size_t index) const;
  std::size_t index_of(std::int64_t value) const;

 private:
  std::int64_t highest_;
  int digits_;
  int sub_bucket_half_count_magnitude_;
  std::int64_t sub_bucket_half_count_;
  std::int64_t sub_bucket_count_;
  std::int64_t sub_bucket_mask_;
  std::vector<std::int64_t> counts_;
  std::int64_t total_ = 0;
  std::int64_t min_ = INT64_MAX;
  std::int64_t max_ = 0;
};

}  // namespace tollgate::metrics
