#include "harness/exec/segment.h"

#include <charconv>

namespace tollgate::exec {

std::optional<Segment> parse_segment(const std::string& text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<Segment> {
    if (error) *error = "segment '" + text + "': " + why + " (expected I/N: 0 <= I < N, e.g. 0/4)";
    return std::nullopt;
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos) return fail("no '/'");
  unsigned i = 0, n = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  auto [p1, ec1] = std::from_chars(b, b + slash, i);
  if (ec1 != std::errc() || p1 != b + slash || slash == 0) return fail("the index is not a number");
  auto [p2, ec2] = std::from_chars(b + slash + 1, e, n);
  if (ec2 != std::errc() || p2 != e || slash + 1 == text.size()) return fail("the count is not a number");
  if (n < 1) return fail("the count must be at least 1");
  if (n > 100000) return fail("the count must be at most 100000");
  if (i >= n) return fail("the index must be below the count");
  return Segment{i, n};
}

}  // namespace tollgate::exec
