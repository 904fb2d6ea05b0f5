#pragma once
#include "harness/http/engine.h"

namespace tollgate::test {

/// Run options with `n` worker threads and no callbacks.
inline http::RunOptions threads(unsigned n) {
  http::RunOptions o;
  o.threads = n;
  return o;
}

}  // namespace tollgate::test
