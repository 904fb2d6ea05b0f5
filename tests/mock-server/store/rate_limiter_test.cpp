// The sliding one-minute window on a fake clock, with exact numbers: the
// limit and no more in any 60 s span, when a slot frees, what Reset says,
// and a window that starts over after a long idle.
#include "mock-server/store/rate_limiter.h"

#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace tollgate::mock {
namespace {

using std::chrono::milliseconds;
using test::FakeClock;

constexpr std::int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z, on a 100 ms bucket

TEST(RateLimiter, AdmitsTheLimitAndNoMoreInAny60SecondSpan) {
  FakeClock clock(kStart);
  RateLimiter limiter(clock);
  // A request every 100 ms for three minutes against 10 per minute.
  std::vector<std::int64_t> admitted;  // ms after the start
  for (std::int64_t t = 0; t < 180'000; t += 100) {
    clock.set_ms(kStart + t);
    if (limiter.admit(1, 10).allowed) admitted.push_back(t);
  }
  // The first ten, then ten more as each of them leaves the window 60.1 s later, twice.
  std::vector<std::int64_t> expected;
  for (std::int64_t burst : {0, 60'100, 120'200})
    for (std::int64_t i = 0; i < 10; ++i) expected.push_back(burst + i * 100);
  EXPECT_EQ(admitted, expected);
  // No 60-second span holds more than ten.
  for (std::size_t i = 0; i < admitted.size(); ++i) {
    std::size_t in_span = 0;
    for (std::size_t j = i; j < admitted.size() && admitted[j] < admitted[i] + 60'000; ++j) ++in_span;
    EXPECT_LE(in_span, 10u) << "span from " << admitted[i] << " ms";
  }
}

TEST(RateLimiter, RemainingCountsDownAndARefusalDoesNotCount) {
  FakeClock clock(kStart);
  RateLimiter limiter(clock);
  for (std::int64_t left : {2, 1, 0}) {
    const RateDecision d = limiter.admit(7, 3);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, left);
  }
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.admit(7, 3).allowed);
  // Refusals took no slot: the three slots free together, 60.1 s on.
  clock.set_ms(kStart + 60'100);
  EXPECT_EQ(limiter.admit(7, 3).remaining, 2);
}

TEST(RateLimiter, ASlotFreesBetween60_0And60_1SecondsAfterItsRequest) {
  for (std::int64_t offset : {0, 1, 50, 99}) {  // where in its 100 ms bucket the request falls
    SCOPED_TRACE(offset);
    FakeClock clock(kStart + offset);
    RateLimiter limiter(clock);
    ASSERT_TRUE(limiter.admit(1, 1).allowed);
    const std::int64_t frees = kStart + 60'100;  // when its bucket leaves the window
    EXPECT_GT(frees - (kStart + offset), 60'000);
    EXPECT_LE(frees - (kStart + offset), 60'100);
    clock.set_ms(kStart + offset + 60'000);
    EXPECT_FALSE(limiter.admit(1, 1).allowed) << "60.0 s is still inside the minute";
    clock.set_ms(frees - 1);
    EXPECT_FALSE(limiter.admit(1, 1).allowed);
    clock.set_ms(frees);
    EXPECT_TRUE(limiter.admit(1, 1).allowed);
  }
}

TEST(RateLimiter, ResetIsWhenTheOldestAdmittedRequestLeaves) {
  FakeClock clock(kStart + 250);
  RateLimiter limiter(clock);
  // The oldest request's bucket starts at +200 ms and leaves 60.1 s later:
  // 2026-01-01T00:01:00.300Z, rounded up to whole seconds.
  EXPECT_EQ(limiter.admit(1, 2).reset_s, kStart / 1000 + 61);
  clock.advance(milliseconds(30'000));
  const RateDecision second = limiter.admit(1, 2);
  EXPECT_EQ(second.reset_s, kStart / 1000 + 61) << "still the first request's";
  const RateDecision refused = limiter.admit(1, 2);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_s, kStart / 1000 + 61);
  // Once the first has left, the second is the oldest: +30.2 s + 60.1 s.
  clock.set_ms(kStart + 60'300);
  EXPECT_EQ(limiter.admit(1, 2).reset_s, kStart / 1000 + 91);
}

TEST(RateLimiter, TheWindowStartsOverAfterALongIdle) {
  FakeClock clock(kStart);
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.admit(1, 2).allowed);
  EXPECT_TRUE(limiter.admit(1, 2).allowed);
  EXPECT_FALSE(limiter.admit(1, 2).allowed);
  clock.advance(std::chrono::hours(25));  // far past the 601 buckets the window holds
  const RateDecision d = limiter.admit(1, 2);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1) << "nothing of the old minute is left";
  EXPECT_EQ(d.reset_s, (kStart + 25LL * 3600 * 1000 + 60'100) / 1000 + 1);
  EXPECT_TRUE(limiter.admit(1, 2).allowed);
  EXPECT_FALSE(limiter.admit(1, 2).allowed);
}

TEST(RateLimiter, KeysHaveTheirOwnWindowsAndAForgottenKeyStartsOver) {
  FakeClock clock(kStart);
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.admit(1, 1).allowed);
  EXPECT_FALSE(limiter.admit(1, 1).allowed);
  EXPECT_TRUE(limiter.admit(2, 1).allowed) << "another key's window";
  limiter.forget(1);
  EXPECT_TRUE(limiter.admit(1, 1).allowed);
}

}  // namespace
}  // namespace tollgate::mock
