#pragma once
#include <cstdint>

namespace tollgate::mock {

/// What a limit says about one request, as the X-RateLimit-* headers show
/// it: admitted or not, the limit, what is left, when it resets.
struct LimitDecision {
  bool allowed = true;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;  ///< Unix seconds
};

}  // namespace tollgate::mock
