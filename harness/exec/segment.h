#pragma once
// Execution segments: one run split over N processes (machines, pods) so
// that the N segments together are exactly the single run. Every countable
// thing of a run - arrival k of the open model, virtual user g, iteration
// k of a shared budget - goes to segment k mod N (striped, as k6's
// execution segments stripe), so no arrival, VU or iteration is counted
// twice or lost, and remainders spread over the first segments.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tollgate::exec {

struct Segment {
  unsigned index = 0;  ///< 0-based
  unsigned count = 1;  ///< 1: the whole run

  bool whole() const { return count <= 1; }
  /// How many of the things numbered 0 .. total-1 are this segment's.
  std::int64_t share(std::int64_t total) const {
    if (total <= 0 || index >= count) return 0;
    return (total + static_cast<std::int64_t>(count) - 1 - static_cast<std::int64_t>(index)) /
           static_cast<std::int64_t>(count);
  }
  /// The global number of this segment's local thing `local` (0, 1, ...).
  std::int64_t global(std::int64_t local) const {
    return local * static_cast<std::int64_t>(count) + static_cast<std::int64_t>(index);
  }
  /// This segment when only `holders` things can hold work (a closed
  /// model's VUs: VU g is in segment g mod N, so with fewer VUs than
  /// segments only the first ones have any): the count becomes
  /// min(N, holders), and a segment past it holds nothing (share 0), so
  /// a shared budget goes wholly to segments that can run it.
  Segment over(std::int64_t holders) const {
    const auto n = static_cast<unsigned>(std::max<std::int64_t>(1, std::min<std::int64_t>(count, holders)));
    return {index, n};
  }
  /// "I/N".
  std::string to_string() const { return std::to_string(index) + "/" + std::to_string(count); }
};

/// Parses "I/N" (0 <= I < N, N >= 1); nothing, with `error` saying why,
/// otherwise.
std::optional<Segment> parse_segment(const std::string& text, std::string* error = nullptr);

/// A way to take every stride-th item of a numbered sequence, from
/// `offset`: worker w of W in segment I/N takes offset I + N*w, stride N*W,
/// so a segment's workers together take exactly the segment's items.
struct Stripe {
  std::uint64_t offset = 0;
  std::uint64_t stride = 1;
  static Stripe of(const Segment& s, unsigned worker, unsigned workers) {
    const std::uint64_t n = s.count ? s.count : 1, w = workers ? workers : 1;
    return {s.index + n * worker, n * w};
  }
  bool takes(std::uint64_t k) const { return k % stride == offset; }
  /// The items of 0 .. total-1 it takes (a worker's virtual users).
  std::vector<int> items(int total) const {
    std::vector<int> out;
    for (auto k = offset; k < static_cast<std::uint64_t>(total > 0 ? total : 0); k += stride)
      out.push_back(static_cast<int>(k));
    return out;
  }
};

}  // namespace tollgate::exec
