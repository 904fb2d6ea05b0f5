// The capacity search against simulated servers whose knee is known: it
// ends within its precision of the knee, in few steps, and says how.
#include "harness/search/rate_search.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tollgate::search {
namespace {

// Runs a search where a step passes when its rate is at most `knee`.
RateSearch against(double knee, double start, double max, double precision, int max_steps = 20) {
  RateSearch s(start, max, precision, 2, max_steps);
  while (const auto rate = s.next()) s.record(*rate, *rate <= knee);
  return s;
}

TEST(RateSearch, EndsWithinItsPrecisionOfTheKnee) {
  for (double knee : {7.3, 43.24, 86.5, 333.0, 999.0}) {
    const RateSearch s = against(knee, 20, 2000, 0.05);
    EXPECT_LE(s.capacity(), knee) << knee;
    EXPECT_GE(s.capacity(), knee / 1.05) << knee;
    EXPECT_GT(s.lowest_failed(), knee) << knee;
    // Growing (or shrinking) to the first change, then halving the gap to 5% (5 halvings).
    const int growing = static_cast<int>(std::ceil(std::fabs(std::log2(knee / 20)))) + 1;  // or shrinking
    EXPECT_LE(s.steps(), std::max(growing, 1) + 5) << knee;
    EXPECT_NE(s.conclusion().find("within"), std::string::npos) << s.conclusion();
  }
  // The documented walk for a knee at 43.24/s: 20, 40, 80 (fails), then bisect.
  RateSearch s(20, 400, 0.05, 2, 12);
  std::vector<double> rates;
  while (const auto r = s.next()) {
    rates.push_back(*r);
    s.record(*r, *r <= 43.24);
  }
  EXPECT_EQ(rates, (std::vector<double>{20, 40, 80, 60, 50, 45, 42.5, 43.75}));
  EXPECT_EQ(s.capacity(), 42.5);
}

TEST(RateSearch, EdgesSayWhatWasFound) {
  // Everything passes: it stops at max_rate and says the capacity is at least that.
  const RateSearch all = against(1e9, 10, 100, 0.02);
  EXPECT_EQ(all.capacity(), 100);
  EXPECT_EQ(all.lowest_failed(), 0);
  EXPECT_NE(all.conclusion().find("at least"), std::string::npos) << all.conclusion();
  // Even start fails: the rate shrinks until one passes, then bisects.
  const RateSearch low = against(3.1, 50, 100, 0.05);
  EXPECT_LE(low.capacity(), 3.1);
  EXPECT_GE(low.capacity(), 3.1 / 1.05);
  // Nothing ever passes: it gives up at a thousandth of start, capacity 0.
  const RateSearch none = against(0, 10, 100, 0.05);
  EXPECT_EQ(none.capacity(), 0);
  EXPECT_NE(none.conclusion().find("no step met the SLO"), std::string::npos) << none.conclusion();
  // max_steps bounds it, and it says it did not converge.
  const RateSearch cut = against(43.24, 20, 400, 0.001, 5);
  EXPECT_EQ(cut.steps(), 5);
  EXPECT_NE(cut.conclusion().find("not converged"), std::string::npos) << cut.conclusion();
}

}  // namespace
}  // namespace tollgate::search
