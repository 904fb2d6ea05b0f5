#include "harness/flow/poll.h"

#include <algorithm>

namespace tollgate::flow {

using nlohmann::json;

PollProbe probe_poll(const scenario::Poll& poll, const std::string& body) {
  PollProbe out;
  const json doc = json::parse(body, nullptr, false);
  const json::json_pointer ptr(poll.pointer);
  if (doc.is_discarded() || !doc.contains(ptr)) return out;
  const json& v = doc.at(ptr);
  out.last = v.dump();
  out.met = std::find(poll.values.begin(), poll.values.end(), v) != poll.values.end();
  return out;
}

}  // namespace tollgate::flow
