// Text generation: the token rule, deterministic answers, unit-length embeddings.
#include "mock-server/content/textgen.h"

#include <gtest/gtest.h>

namespace tollgate::mock {
namespace {

TEST(TextGen, TokenCountingRule) {
  EXPECT_EQ(count_tokens("Hello, world!"), 4);
  EXPECT_EQ(count_tokens("  two   words "), 2);
  EXPECT_EQ(count_tokens(""), 0);
  EXPECT_EQ(count_tokens("naïve café"), 2);  // non-ASCII bytes join their word
  EXPECT_EQ(count_tokens("a1b2 :-)"), 4);
}

TEST(TextGen, DeterministicAndCountable) {
  const Generation a = generate_text("m", "prompt", -1);
  const Generation b = generate_text("m", "prompt", -1);
  EXPECT_EQ(a.text(), b.text());
  EXPECT_NE(a.text(), generate_text("m", "other prompt", -1).text());
  EXPECT_EQ(a.finish_reason, "stop");
  EXPECT_EQ(count_tokens(a.text()), static_cast<std::int64_t>(a.pieces.size()));
  const Generation cut = generate_text("m", "prompt", 3);
  EXPECT_EQ(cut.pieces.size(), 3u);
  EXPECT_EQ(cut.finish_reason, "length");
}

TEST(TextGen, EmbeddingsAreUnitLength) {
  const auto v = embed("m", "x", 100);
  double norm = 0;
  for (float x : v) norm += double(x) * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ(floats_base64({1.0f}), "AACAPw==");  // 0x3f800000 little-endian
}

}  // namespace
}  // namespace tollgate::mock
