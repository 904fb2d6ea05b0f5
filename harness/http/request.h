#pragma once
// The request of a step: rendered from its templates with an iteration's
// variables, and serialized to the bytes on the wire.
#include <string>

#include "common/text.h"
#include "harness/flow/render.h"
#include "harness/scenario/scenario.h"

namespace tollgate::http {

struct Request {
  std::string method;
  std::string target;  ///< path and query, as sent
  Headers headers;
  std::string body;
  /// The bytes on the wire (serialize_request), made once for a step
  /// without variables.
  std::string wire;
};

/// The HTTP/1.1 bytes of `request` for `target` (Host with the port when it
/// is not the scheme's default, a JSON Content-Type for a body without one).
std::string serialize_request(const Request& request, const scenario::TargetUrl& target);

/// The request of `step` with its {{variables}} from `lookup` (a step
/// without any renders the same bytes every time and is prepared once);
/// `missing` names the first variable that has no value.
Request render_request(const scenario::Plan& plan, const scenario::Step& step, const flow::Lookup& lookup,
                       std::string& missing);

}  // namespace tollgate::http
