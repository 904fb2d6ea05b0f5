#include "harness/metrics/histogram.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tollgate::metrics {

// The bucket math follows HdrHistogram's published layout with a unit
// magnitude of 0 (the lowest discernible value is 1).
Histogram::Histogram(std::int64_t highest, int significant_digits) : highest_(highest), digits_(significant_digits) {
  if (significant_digits < 1 || significant_digits > 5 || highest < 2)
    throw std::invalid_argument("histogram: 1..5 significant digits and a highest value of at least 2");
  const std::int64_t single_unit = 2 * static_cast<std::int64_t>(std::pow(10, significant_digits));
  const int sub_bucket_count_magnitude = static_cast<int>(std::ceil(std::log2(static_cast<double>(single_unit))));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  sub_bucket_count_ = std::int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = sub_bucket_count_ - 1;
  // Buckets needed so that the largest bucket covers `highest`.
  std::int64_t smallest_untrackable = sub_bucket_count_;
  int buckets = 1;
  while (smallest_untrackable <= highest) {
    if (smallest_untrackable > INT64_MAX / 2) {
      ++buckets;
      break;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  length_ = static_cast<std::size_t>((buckets + 1) * sub_bucket_half_count_);
}

std::size_t Histogram::index_of(std::int64_t value) const {
  const int pow2ceiling = 64 - __builtin_clzll(static_cast<std::uint64_t>(value | sub_bucket_mask_));
  const int bucket = pow2ceiling - (sub_bucket_half_count_magnitude_ + 1);
  const std::int64_t sub_bucket = value >> bucket;
  return static_cast<std::size_t>(((static_cast<std::int64_t>(bucket) + 1) << sub_bucket_half_count_magnitude_) +
                                  (sub_bucket - sub_bucket_half_count_));
}

std::int64_t Histogram::value_from_index(std::size_t index) const {
  std::int64_t bucket = (static_cast<std::int64_t>(index) >> sub_bucket_half_count_magnitude_) - 1;
  std::int64_t sub_bucket = (static_cast<std::int64_t>(index) & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

std::int64_t Histogram::lowest_equivalent(std::int64_t value) const {
  return value_from_index(index_of(value));
}

std::int64_t Histogram::highest_equivalent(std::int64_t value) const {
  const int pow2ceiling = 64 - __builtin_clzll(static_cast<std::uint64_t>(value | sub_bucket_mask_));
  const int bucket = pow2ceiling - (sub_bucket_half_count_magnitude_ + 1);
  const std::int64_t sub_bucket = value >> bucket;
  const int adjusted = sub_bucket >= sub_bucket_count_ ? bucket + 1 : bucket;
  return lowest_equivalent(value) + (std::int64_t{1} << adjusted) - 1;
}

void Histogram::densify() {
  counts_.assign(length_, 0);
  for (const auto& [i, c] : sparse_) counts_[i] = c;
  std::vector<std::pair<std::uint32_t, std::int64_t>>().swap(sparse_);
}

void Histogram::add_count(std::size_t index, std::int64_t count) {
  if (count == 0) return;  // a sparse histogram holds non-zero counts only
  if (!counts_.empty()) {
    counts_[index] += count;
    return;
  }
  const auto key = static_cast<std::uint32_t>(index);
  auto it = std::lower_bound(sparse_.begin(), sparse_.end(), key,
                             [](const auto& entry, std::uint32_t k) { return entry.first < k; });
  if (it != sparse_.end() && it->first == key) {
    it->second += count;
    return;
  }
  sparse_.insert(it, {key, count});
  if (sparse_.size() > kSparseMax) densify();
}

bool Histogram::record(std::int64_t value, std::int64_t count) {
  if (value < 0 || value > highest_) return false;
  const std::size_t i = index_of(value);
  if (i >= length_) return false;
  add_count(i, count);
  total_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  return true;
}

std::int64_t Histogram::add(const Histogram& other) {
  if (other.total_ == 0) return 0;
  if (other.length_ == length_ && other.highest_ == highest_ && other.digits_ == digits_) {
    if (!other.counts_.empty() && counts_.empty()) densify();
    other.each_count([&](std::size_t i, std::int64_t c) {
      add_count(i, c);
      return true;
    });
    total_ += other.total_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    return 0;
  }
  std::int64_t dropped = 0;
  other.each_count([&](std::size_t i, std::int64_t c) {
    if (!record(other.value_from_index(i), c)) dropped += c;
    return true;
  });
  return dropped;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  sparse_.clear();
  total_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
}

std::vector<std::int64_t> Histogram::counts() const {
  if (!counts_.empty()) return counts_;
  std::vector<std::int64_t> all(length_, 0);
  for (const auto& [i, c] : sparse_) all[i] = c;
  return all;
}

std::int64_t Histogram::value_at_percentile(double p) const {
  if (total_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  const auto target = std::max<std::int64_t>(1, static_cast<std::int64_t>(p / 100.0 * static_cast<double>(total_) + 0.5));
  std::int64_t seen = 0, at = highest_equivalent(max_);
  each_count([&](std::size_t i, std::int64_t c) {
    seen += c;
    if (seen < target) return true;
    at = highest_equivalent(value_from_index(i));
    return false;
  });
  return at;
}

std::int64_t Histogram::min() const { return total_ == 0 ? 0 : lowest_equivalent(min_); }
std::int64_t Histogram::max() const { return total_ == 0 ? 0 : highest_equivalent(max_); }

double Histogram::mean() const {
  if (total_ == 0) return 0;
  double sum = 0;
  each_count([&](std::size_t i, std::int64_t c) {
    const std::int64_t v = value_from_index(i);
    const std::int64_t median = lowest_equivalent(v) + (highest_equivalent(v) - lowest_equivalent(v) + 1) / 2;
    sum += static_cast<double>(median) * static_cast<double>(c);
    return true;
  });
  return sum / static_cast<double>(total_);
}

}  // namespace tollgate::metrics
