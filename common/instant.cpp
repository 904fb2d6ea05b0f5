#include "common/instant.h"

#include <cctype>
#include <ctime>

namespace tollgate {
namespace {

// Reads exactly `n` digits at `p`.
bool digits(const std::string& s, std::size_t& p, int n, int& out) {
  out = 0;
  for (int i = 0; i < n; ++i, ++p) {
    if (p >= s.size() || !std::isdigit(static_cast<unsigned char>(s[p]))) return false;
    out = out * 10 + (s[p] - '0');
  }
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<std::int64_t> parse_instant_ms(const std::string& text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<std::int64_t> {
    if (error)
      *error = "'" + text + "': " + why + " (expected RFC 3339, e.g. 2026-12-03T18:30:00Z, or Unix milliseconds)";
    return std::nullopt;
  };
  if (text.empty()) return fail("empty");
  bool all_digits = true;
  for (const char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    if (text.size() > 15) return fail("too large for Unix milliseconds");
    if (text.size() < 12) return fail("Unix milliseconds have 12 or more digits (this looks like seconds)");
    const auto ms = std::stoll(text);
    if (ms <= 0) return fail("not after 1970");
    return ms;
  }
  std::size_t p = 0;
  int y, mo, d, h, mi, sec, ms = 0;
  if (!digits(text, p, 4, y) || p >= text.size() || text[p++] != '-' || !digits(text, p, 2, mo) ||
      p >= text.size() || text[p++] != '-' || !digits(text, p, 2, d))
    return fail("the date is not YYYY-MM-DD");
  if (p >= text.size() || (text[p] != 'T' && text[p] != 't' && text[p] != ' ')) return fail("no time after the date");
  ++p;
  if (!digits(text, p, 2, h) || p >= text.size() || text[p++] != ':' || !digits(text, p, 2, mi) ||
      p >= text.size() || text[p++] != ':' || !digits(text, p, 2, sec))
    return fail("the time is not HH:MM:SS");
  if (p < text.size() && text[p] == '.') {
    ++p;
    int scale = 100, n = 0;
    while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) {
      ms += (text[p] - '0') * scale;
      scale /= 10;
      ++p;
      ++n;
    }
    if (n == 0) return fail("no digits after the '.'");
  }
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0)) return fail("no such date");
  if (h > 23 || mi > 59 || sec > 60) return fail("no such time");
  int offset_min = 0;
  if (p < text.size() && (text[p] == 'Z' || text[p] == 'z')) {
    ++p;
  } else if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
    const int sign = text[p++] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(text, p, 2, oh) || p >= text.size() || text[p++] != ':' || !digits(text, p, 2, om) || oh > 23 ||
        om > 59)
      return fail("the offset is not +HH:MM");
    offset_min = sign * (oh * 60 + om);
  } else {
    return fail("no time zone (Z or +HH:MM)");
  }
  if (p != text.size()) return fail("text after the time zone");
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const std::int64_t s = static_cast<std::int64_t>(timegm(&tm)) - offset_min * 60;
  if (s * 1000 + ms <= 0) return fail("not after 1970");
  return s * 1000 + ms;
}

}  // namespace tollgate
