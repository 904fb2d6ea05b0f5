#pragma once
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace tollgate::metrics {

/// A log-linear histogram with HdrHistogram's layout and contract: values
/// from 0 to `highest` kept to `significant_digits` decimal digits, one
/// array of counts, lossless merging. The default covers 1 µs to 1 hour
/// at 3 digits (23552 counts, 188 KB).
///
/// Until it holds kSparseMax distinct buckets, a histogram keeps only its
/// non-zero counts (sorted by index, 16 bytes each); past that, the full
/// array, which it then keeps. The answers are the same either way. A run
/// keeps several per step per worker, and a probe has hundreds of steps
/// that each record a handful of values: the full arrays up front cost a
/// probe of the AIProxy contract 380 MB and half its time in page faults.
class Histogram {
 public:
  static constexpr std::size_t kSparseMax = 256;

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

  std::size_t counts_length() const { return length_; }
  std::int64_t highest_trackable() const { return highest_; }
  int significant_digits() const { return digits_; }
  /// All counts_length() counts (a copy).
  std::vector<std::int64_t> counts() const;
  /// Calls `f(index, count)` for each non-zero count in index order while
  /// it returns true; false when `f` stopped it.
  template <class F>
  bool each_count(F&& f) const {
    if (!counts_.empty()) {
      for (std::size_t i = 0; i < counts_.size(); ++i)
        if (counts_[i] && !f(i, counts_[i])) return false;
    } else {
      for (const auto& [i, c] : sparse_)
        if (!f(static_cast<std::size_t>(i), c)) return false;
    }
    return true;
  }

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
  std::size_t length_;
  void densify();
  void add_count(std::size_t index, std::int64_t count);

  std::vector<std::int64_t> counts_;                            ///< all of them, or empty while sparse
  std::vector<std::pair<std::uint32_t, std::int64_t>> sparse_;  ///< (index, count) sorted, while counts_ is empty
  std::int64_t total_ = 0;
  std::int64_t min_ = INT64_MAX;
  std::int64_t max_ = 0;
};

}  // namespace tollgate::metrics
