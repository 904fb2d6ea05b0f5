#include "harness/exec/schedule.h"

#include <cmath>

namespace tollgate::exec {

ArrivalSchedule::ArrivalSchedule(std::vector<RateStage> stages, bool poisson, std::uint64_t seed, Stripe stripe)
    : stages_(std::move(stages)), poisson_(poisson), rng_(seed), stripe_(stripe), index_(stripe.offset) {
  if (stripe_.stride == 0) stripe_ = {};
}

std::chrono::nanoseconds ArrivalSchedule::duration() const {
  std::chrono::nanoseconds total{0};
  for (const auto& s : stages_) total += s.duration;
  return total;
}

double ArrivalSchedule::expected_total() const {
  double n = 0;
  for (const auto& s : stages_) n += (s.from_rps + s.to_rps) / 2.0 * std::chrono::duration<double>(s.duration).count();
  return n;
}

double ArrivalSchedule::rate_at(std::chrono::nanoseconds t) const {
  for (const auto& s : stages_) {
    if (t < s.duration) {
      const double f = std::chrono::duration<double>(t) / std::chrono::duration<double>(s.duration);
      return s.from_rps + (s.to_rps - s.from_rps) * f;
    }
    t -= s.duration;
  }
  return 0;
}

// Solves N(t) = n where N is the integral of the piecewise-linear rate:
// within a stage N(t) = r0 t + (r1 - r0) t^2 / (2T).
std::optional<double> ArrivalSchedule::time_of_arrival(double n) const {
  double start = 0;
  for (const auto& s : stages_) {
    const double T = std::chrono::duration<double>(s.duration).count();
    const double r0 = s.from_rps, r1 = s.to_rps;
    const double in_stage = (r0 + r1) / 2.0 * T;
    if (n <= in_stage && in_stage > 0) {
      const double a = (r1 - r0) / (2.0 * T);
      double t;
      if (std::fabs(a) < 1e-12) {
        t = n / r0;
      } else {
        // a t^2 + r0 t - n = 0; the numerically stable root.
        const double disc = r0 * r0 + 4.0 * a * n;
        t = (2.0 * n) / (r0 + std::sqrt(std::max(0.0, disc)));
      }
      return start + std::min(t, T);
    }
    n -= in_stage;
    start += T;
  }
  return std::nullopt;
}

std::optional<double> ArrivalSchedule::next_poisson() {
  // Thinning (Lewis-Shedler): candidates at the stage's peak rate, each kept
  // with probability rate(t)/peak.
  std::exponential_distribution<double> unit(1.0);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  const double end = std::chrono::duration<double>(duration()).count();
  while (true) {
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(poisson_clock_s_));
    double peak = 0;
    {
      std::chrono::nanoseconds t = now;
      for (const auto& s : stages_) {
        if (t < s.duration) {
          peak = std::max(s.from_rps, s.to_rps);
          break;
        }
        t -= s.duration;
      }
    }
    if (peak <= 0) {
      // A silent stretch: jump to the next stage with a positive rate.
      double start = 0;
      bool jumped = false;
      for (const auto& s : stages_) {
        const double T = std::chrono::duration<double>(s.duration).count();
        if (start + T > poisson_clock_s_ && std::max(s.from_rps, s.to_rps) > 0 && start >= poisson_clock_s_) {
          poisson_clock_s_ = start;
          jumped = true;
          break;
        }
        start += T;
      }
      if (!jumped) return std::nullopt;
      continue;
    }
    poisson_clock_s_ += unit(rng_) / peak;
    if (poisson_clock_s_ >= end) return std::nullopt;
    const double r = rate_at(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(poisson_clock_s_)));
    if (coin(rng_) * peak <= r) return poisson_clock_s_;
  }
}

void ArrivalSchedule::set_gamma(double cv) {
  gamma_shape_ = cv > 0 ? 1.0 / (cv * cv) : 0;
  if (gamma_shape_ > 0) gamma_gap_ = std::gamma_distribution<double>(gamma_shape_, 1.0 / gamma_shape_);
}

std::optional<std::chrono::nanoseconds> ArrivalSchedule::next() {
  std::optional<double> t;
  if (gamma_shape_ > 0) {
    // Unit-mean gaps in the cumulative count (shape k, scale 1/k: CV 1/sqrt(k)),
    // each worker keeping its share of the one sequence.
    while (true) {
      t = time_of_arrival(std::max(gamma_count_, 1e-9));
      if (!t || *t >= std::chrono::duration<double>(duration()).count()) return std::nullopt;
      last_ = drawn_;
      const bool mine = stripe_.takes(drawn_++);
      const double at = *t;
      gamma_count_ += gamma_gap_(rng_);
      if (mine) return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(at));
    }
  }
  if (poisson_) {
    // Every worker draws the same sequence and keeps its share.
    while (true) {
      t = next_poisson();
      if (!t) return std::nullopt;
      last_ = drawn_;
      if (stripe_.takes(drawn_++)) break;
    }
  } else {
    // Arrival i sits where the cumulative count reaches i (arrival 0 at the
    // start; a hair past it, so a ramp from zero has a defined root).
    t = time_of_arrival(std::max(static_cast<double>(index_), 1e-9));
    if (!t) return std::nullopt;
    const double end = std::chrono::duration<double>(duration()).count();
    if (*t >= end) return std::nullopt;
    last_ = index_;
    index_ += stripe_.stride;
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(*t));
}

}  // namespace tollgate::exec
