#pragma once
// What one answer of a polled step says: the value at the poll's pointer,
// and whether it is one of the values the poll waits for.
#include <string>

#include "harness/scenario/scenario.h"

namespace tollgate::flow {

struct PollProbe {
  bool met = false;
  std::string last;  ///< the value seen, as JSON; "" when the pointer is not in the body
};

PollProbe probe_poll(const scenario::Poll& poll, const std::string& body);

}  // namespace tollgate::flow
