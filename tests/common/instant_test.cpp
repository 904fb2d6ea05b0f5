// --start-at's instants: RFC 3339 with offsets and fractions, Unix ms, and
// a clear refusal of anything else.
#include "common/instant.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(Instant, ReadsRfc3339AndUnixMilliseconds) {
  EXPECT_EQ(parse_instant_ms("2026-01-01T00:00:00Z"), 1767225600000);
  EXPECT_EQ(parse_instant_ms("2026-01-01t00:00:00.25z"), 1767225600250);
  EXPECT_EQ(parse_instant_ms("2026-01-01 01:30:00.1239+01:30"), 1767225600123);
  EXPECT_EQ(parse_instant_ms("2025-12-31T19:00:00-05:00"), 1767225600000);
  EXPECT_EQ(parse_instant_ms("2024-02-29T12:00:00Z"), 1709208000000);  // a leap day
  EXPECT_EQ(parse_instant_ms("1767225600000"), 1767225600000);
}

TEST(Instant, RefusesWhatIsNotAnInstantSayingWhy) {
  const std::pair<const char*, const char*> bad[] = {
      {"", "empty"},
      {"1767225600", "looks like seconds"},
      {"000000000000", "not after 1970"},
      {"1970-01-01T00:00:00Z", "not after 1970"},
      {"2026-13-01T00:00:00Z", "no such date"},
      {"2025-02-29T00:00:00Z", "no such date"},
      {"2026-01-01T24:00:00Z", "no such time"},
      {"2026-01-01T00:00:00", "no time zone"},
      {"2026-01-01T00:00Z", "not HH:MM:SS"},
      {"2026-01-01", "no time after the date"},
      {"2026-01-01T00:00:00+0100", "not +HH:MM"},
      {"2026-01-01T00:00:00Zjunk", "text after the time zone"},
      {"2026-01-01T00:00:00.Z", "no digits after the '.'"},
      {"tomorrow", "not YYYY-MM-DD"},
  };
  for (const auto& [text, why] : bad) {
    std::string error;
    EXPECT_FALSE(parse_instant_ms(text, &error)) << text;
    EXPECT_NE(error.find(why), std::string::npos) << text << ": " << error;
    EXPECT_NE(error.find("expected RFC 3339"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace tollgate
