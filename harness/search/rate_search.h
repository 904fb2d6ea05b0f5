#pragma once
// The highest rate that meets an SLO, as a sequence of steps: starting at
// `start`, the rate grows by `growth` while steps pass (up to `max`); once
// one fails, the next is halfway between the highest rate that passed and
// the lowest that failed, until the two are within `precision` of the
// one that passed; if even `start` fails, the rate shrinks by `growth`
// until one passes. Pure: the caller runs each step and says whether it
// passed.
#include <optional>
#include <string>

namespace tollgate::search {

class RateSearch {
 public:
  RateSearch(double start, double max, double precision, double growth, int max_steps);

  /// The rate of the next step, or nothing when the search is over.
  std::optional<double> next() const;
  void record(double rate, bool passed);

  /// The highest rate that passed (0: none did).
  double capacity() const { return passed_; }
  /// The lowest rate that failed (0: none did).
  double lowest_failed() const { return failed_; }
  int steps() const { return steps_; }
  /// How the search ended, in words: "within 2% (between 120/s and 122.4/s)",
  /// "max_rate 500/s passed: the capacity is at least that", ...
  std::string conclusion() const;

 private:
  double start_, max_, precision_, growth_;
  int max_steps_;
  int steps_ = 0;
  double passed_ = 0, failed_ = 0;  ///< highest passed, lowest failed (0: none yet)
  double last_ = 0;
};

}  // namespace tollgate::search
