#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "harness/exec/segment.h"

namespace tollgate::exec {

/// A stretch of an arrival-rate schedule: the rate moves linearly from
/// `from_rps` to `to_rps` over `duration` (equal ends: a constant rate).
struct RateStage {
  std::chrono::nanoseconds duration;
  double from_rps;
  double to_rps;
};

/// The intended send times of an open-model run, as offsets from its start.
/// Uniform arrivals place request i where the cumulative rate reaches i
/// (exact for constant and linearly ramping rates); Poisson arrivals draw
/// exponential gaps from the rate in force (seeded, so runs repeat).
/// A schedule can be split across workers and segments: a stripe takes
/// arrivals offset, offset+stride, ... of the same sequence (Poisson and
/// gamma: every part draws the whole seeded sequence and keeps its own).
class ArrivalSchedule {
 public:
  ArrivalSchedule(std::vector<RateStage> stages, bool poisson, std::uint64_t seed = 1, Stripe stripe = {});

  /// Gamma arrivals instead: gaps with the rate's mean and coefficient of
  /// variation `cv` (1: as Poisson; above 1 burstier, below more regular),
  /// drawn in the schedule's cumulative count and mapped to time through
  /// the rate in force (exact for ramps too).
  void set_gamma(double cv);

  /// The next intended send offset, or nullopt when the schedule is over.
  std::optional<std::chrono::nanoseconds> next();
  /// The number of the arrival next() returned last in the whole sequence
  /// (all workers and segments): what {{iteration}} is for it.
  std::uint64_t last_number() const { return last_; }

  /// How many arrivals the whole schedule holds (all workers), for uniform
  /// arrivals; the expected number for Poisson ones.
  double expected_total() const;
  std::chrono::nanoseconds duration() const;
  /// The target rate at offset `t`.
  double rate_at(std::chrono::nanoseconds t) const;

 private:
  std::optional<double> time_of_arrival(double n) const;  ///< seconds when cumulative count reaches n
  std::optional<double> next_poisson();

  std::vector<RateStage> stages_;
  bool poisson_;
  std::mt19937_64 rng_;
  Stripe stripe_;
  std::uint64_t index_ = 0;      ///< uniform: next arrival number (all workers)
  std::uint64_t drawn_ = 0;      ///< poisson: arrivals drawn so far (all workers)
  std::uint64_t last_ = 0;       ///< the number of the arrival returned last
  double poisson_clock_s_ = 0;   ///< poisson: time of the last arrival drawn
  double gamma_shape_ = 0;       ///< gamma: 1 / cv^2 (0: not gamma)
  std::gamma_distribution<double> gamma_gap_;  ///< unit mean (kept: it caches normal draws)
  double gamma_count_ = 0;       ///< gamma: the cumulative count of the last arrival drawn
};

}  // namespace tollgate::exec
