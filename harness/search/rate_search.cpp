#include "harness/search/rate_search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tollgate::search {
namespace {

std::string rate(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, r >= 100 ? "%.0f/s" : r >= 10 ? "%.1f/s" : "%.2f/s", r);
  return buf;
}

}  // namespace

RateSearch::RateSearch(double start, double max, double precision, double growth, int max_steps)
    : start_(start), max_(std::max(start, max)), precision_(precision), growth_(growth > 1 ? growth : 2),
      max_steps_(max_steps) {}

void RateSearch::record(double r, bool passed) {
  ++steps_;
  last_ = r;
  if (passed) passed_ = std::max(passed_, r);
  else failed_ = failed_ == 0 ? r : std::min(failed_, r);
}

std::optional<double> RateSearch::next() const {
  if (steps_ >= max_steps_) return std::nullopt;
  if (steps_ == 0) return start_;
  if (failed_ == 0) {  // everything passed so far: grow, up to max
    if (passed_ >= max_) return std::nullopt;
    return std::min(passed_ * growth_, max_);
  }
  if (passed_ == 0) {  // nothing passed yet: shrink, down to a thousandth of start
    const double lower = failed_ / growth_;
    if (lower < start_ / 1000) return std::nullopt;
    return lower;
  }
  if (failed_ - passed_ <= precision_ * passed_) return std::nullopt;  // close enough
  return (passed_ + failed_) / 2;
}

std::string RateSearch::conclusion() const {
  if (passed_ == 0)
    return failed_ == 0 ? "no step ran" : "no step met the SLO (the lowest tried, " + rate(failed_) + ", failed)";
  if (failed_ == 0)
    return passed_ >= max_ ? "max_rate " + rate(max_) + " met the SLO: the capacity is at least that"
                           : "stopped after " + std::to_string(steps_) + " steps, every one met the SLO";
  const double gap = (failed_ - passed_) / passed_;
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f%%", gap * 100);
  return std::string(gap <= precision_ ? "within " : "not converged (max_steps " + std::to_string(max_steps_) + "): ") +
         pct + " (met at " + rate(passed_) + ", failed at " + rate(failed_) + ")";
}

}  // namespace tollgate::search
