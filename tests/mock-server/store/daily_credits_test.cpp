// AimiChat's daily credits on a fake clock: the limit a day, shared per
// account, new at 00:00 UTC, and what a state file said was used.
#include "mock-server/store/daily_credits.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace tollgate::mock {
namespace {

using test::FakeClock;

constexpr std::int64_t kMidnight = 1'767'225'600;  // 2026-01-01T00:00:00Z, Unix seconds

TEST(DailyCredits, TheLimitADayThenRefusedUntilMidnight) {
  FakeClock clock(kMidnight * 1000 + 3'600'000);  // 01:00 UTC
  DailyCredits credits(clock);
  credits.set_limit(1, 3);
  for (std::int64_t used : {1, 2, 3}) {
    const CreditDecision d = credits.use(1);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.used, used);
    EXPECT_EQ(d.remaining, 3 - used);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.reset_s, kMidnight + 86'400) << "the next 00:00 UTC";
  }
  const CreditDecision refused = credits.use(1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.used, 3) << "a refusal uses nothing";
  EXPECT_EQ(refused.remaining, 0);
  clock.set_ms((kMidnight + 86'400) * 1000 - 1);
  EXPECT_FALSE(credits.use(1).allowed) << "23:59:59.999 is still today";
  clock.set_ms((kMidnight + 86'400) * 1000);
  const CreditDecision tomorrow = credits.use(1);
  EXPECT_TRUE(tomorrow.allowed);
  EXPECT_EQ(tomorrow.used, 1);
  EXPECT_EQ(tomorrow.reset_s, kMidnight + 2 * 86'400);
}

TEST(DailyCredits, PeekUsesNothingAndAccountsAreApart) {
  FakeClock clock(kMidnight * 1000);
  DailyCredits credits(clock);
  credits.set_limit(1, 2);
  credits.set_limit(2, 2);
  credits.use(1);
  for (int i = 0; i < 3; ++i) {
    const CreditDecision d = credits.peek(1);
    EXPECT_EQ(d.used, 1);
    EXPECT_EQ(d.remaining, 1);
    EXPECT_TRUE(d.allowed);
  }
  EXPECT_EQ(credits.peek(2).used, 0);
  EXPECT_FALSE(credits.use(99).allowed) << "an account without a limit has none";
}

TEST(DailyCredits, WhatTheStateFileSaidCountsOnlyForItsDay) {
  FakeClock clock(kMidnight * 1000);
  DailyCredits credits(clock);
  credits.set_limit(1, 5);
  credits.set_limit(2, 5);
  const std::int64_t today = kMidnight / 86'400;
  credits.restore(1, today, 4);
  credits.restore(2, today - 1, 4);
  EXPECT_EQ(credits.use(1).used, 5);
  EXPECT_FALSE(credits.use(1).allowed);
  EXPECT_EQ(credits.peek(2).used, 0) << "yesterday's credits are gone";
  EXPECT_EQ(credits.use(2).day, today);
}

}  // namespace
}  // namespace tollgate::mock
