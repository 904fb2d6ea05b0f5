// An LLM workload's values: lengths drawn with the asked mean and spread,
// always within their bounds; synthetic prompts of an exact token count;
// a conversation's turns each a strict extension of the one before.
#include "harness/flow/workload.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tollgate::flow {
namespace {

using scenario::LengthDist;

struct Moments {
  double mean = 0, stddev = 0;
  std::int64_t min = INT64_MAX, max = INT64_MIN;
};

Moments draw(const LengthDist& d, int n = 100000) {
  std::mt19937_64 rng(7);
  Moments m;
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    const auto v = draw_length(d, rng);
    sum += static_cast<double>(v);
    sq += static_cast<double>(v) * static_cast<double>(v);
    m.min = std::min(m.min, v);
    m.max = std::max(m.max, v);
  }
  m.mean = sum / n;
  m.stddev = std::sqrt(sq / n - m.mean * m.mean);
  return m;
}

TEST(Workload, LengthsHaveTheirMeanAndSpreadWithinTheirBounds) {
  LengthDist normal{LengthDist::Kind::kNormal, 200, 40, 1, 4000};
  auto m = draw(normal);
  EXPECT_NEAR(m.mean, 200, 200 * 0.02);
  EXPECT_NEAR(m.stddev, 40, 40 * 0.05);
  LengthDist lognormal{LengthDist::Kind::kLognormal, 128, 64, 1, 1 << 20};
  m = draw(lognormal);
  EXPECT_NEAR(m.mean, 128, 128 * 0.02);
  EXPECT_NEAR(m.stddev, 64, 64 * 0.05);
  EXPECT_GE(m.min, 1);
  LengthDist uniform{LengthDist::Kind::kUniform, 0, 0, 10, 20};
  m = draw(uniform);
  EXPECT_EQ(m.min, 10);
  EXPECT_EQ(m.max, 20);
  EXPECT_NEAR(m.mean, 15, 15 * 0.02);
  // Bounds truncate: a normal around 100 cut at [90, 110] never leaves it.
  LengthDist cut{LengthDist::Kind::kNormal, 100, 50, 90, 110};
  m = draw(cut, 20000);
  EXPECT_GE(m.min, 90);
  EXPECT_LE(m.max, 110);
  // No spread: the mean, within the bounds (a normal of stddev 0 is not drawn).
  LengthDist flat{LengthDist::Kind::kNormal, 77.4, 0, 1, 100};
  m = draw(flat, 10);
  EXPECT_EQ(m.min, 77);
  EXPECT_EQ(m.max, 77);
  LengthDist fixed{LengthDist::Kind::kFixed, 64, 0, 64, 64};
  m = draw(fixed, 10);
  EXPECT_EQ(m.min, 64);
  EXPECT_EQ(m.max, 64);
}

TEST(Workload, ASyntheticPromptHasExactlyItsTokens) {
  std::mt19937_64 rng(1);
  for (std::int64_t n : {1, 2, 17, 500}) {
    const std::string p = synthetic_prompt(n, rng);
    std::int64_t words = 0;
    bool in_word = false;
    for (char c : p) {
      ASSERT_TRUE((c >= 'a' && c <= 'z') || c == ' ') << p;
      if (c != ' ' && !in_word) ++words;
      in_word = c != ' ';
    }
    EXPECT_EQ(words, n) << p;
  }
  EXPECT_EQ(synthetic_prompt(0, rng), "");
}

TEST(Workload, EachTurnExtendsTheOneBefore) {
  scenario::Conversation c;
  c.prefix = {{{"role", "system"}, {"content", "be brief"}}};
  c.turns = {{{"role", "user"}, {"content", "one"}}, {{"role", "user"}, {"content", "two"}},
             {{"role", "user"}, {"content", "three"}}};
  const std::vector<std::string> answers = {"A1", "A2"};
  nlohmann::json before;
  for (std::size_t t = 0; t < 3; ++t) {
    const auto m = turn_messages(c, t, answers);
    ASSERT_EQ(m.size(), 2 + 2 * t);
    EXPECT_EQ(m.front()["role"], "system");
    EXPECT_EQ(m.back(), c.turns[t]);
    if (t > 0) {
      for (std::size_t k = 0; k < before.size(); ++k) EXPECT_EQ(m[k], before[k]) << "turn " << t << " message " << k;
      EXPECT_EQ(m[before.size()], (nlohmann::json{{"role", "assistant"}, {"content", answers[t - 1]}}));
    }
    before = m;
  }
}

}  // namespace
}  // namespace tollgate::flow
