#include "common/clock.h"

namespace tollgate {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace tollgate
