#include "common/text.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(Text, CaseInsensitiveComparisonIsAsciiOnly) {
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(iequals("\xc3\x89", "\xc3\xa9"));  // É and é: bytes, not letters
  EXPECT_TRUE(iequals_lower("X-API-Key", "x-api-key"));
  EXPECT_TRUE(istarts_with("Bearer abc", "bearer "));
  EXPECT_EQ(ascii_lower("AbC-\xff"), "abc-\xff");
}

TEST(Text, FindHeaderTakesTheFirstOfAnyCase) {
  const Headers h = {{"Set-Cookie", "a"}, {"set-cookie", "b"}};
  ASSERT_NE(find_header(h, "SET-COOKIE"), nullptr);
  EXPECT_EQ(*find_header(h, "SET-COOKIE"), "a");
  EXPECT_EQ(find_header(h, "Cookie"), nullptr);
}

TEST(Text, EventStreamWithParameters) {
  EXPECT_TRUE(is_event_stream("text/event-stream"));
  EXPECT_TRUE(is_event_stream("Text/Event-Stream; charset=utf-8"));
  EXPECT_FALSE(is_event_stream("application/json"));
}

}  // namespace
}  // namespace tollgate
