#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/text.h"

namespace tollgate::net {

/// A parsed HTTP request as handlers see it (no Beast types).
struct HttpRequest {
  std::string method;  ///< "GET"
  std::string target;  ///< "/aiproxy/v1/models?provider=openai"
  std::string path;    ///< "/aiproxy/v1/models"
  std::string query;   ///< "provider=openai"
  Headers headers;
  std::string body;
  std::string remote_address;

  /// The first header named `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const {
    const std::string* v = find_header(headers, name);
    return v ? std::string_view(*v) : std::string_view();
  }
  /// The first query parameter `name`, percent-decoded ('+' is a space).
  std::optional<std::string> query_param(std::string_view name) const;
};

/// One piece of a streamed body, sent `delay` after the previous one.
struct StreamChunk {
  std::chrono::microseconds delay{0};
  std::string data;
  /// Cut the connection here, without the end of the chunked body.
  bool abort = false;
};

/// Produces a streamed body piece by piece, so that many open streams hold
/// only their small generators, never their whole bodies.
class StreamSource {
 public:
  virtual ~StreamSource() = default;
  /// Fills `out` with the next piece; false when the body is complete.
  virtual bool next(StreamChunk& out) = 0;
};

/// The response a handler returns.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  /// Waited before anything is sent (simulated latency), without holding
  /// the worker thread.
  std::chrono::microseconds delay{0};
  /// When set, the body is sent with chunked transfer encoding from this
  /// source (after `body`, when that is not empty).
  std::shared_ptr<StreamSource> stream;

  // Faults a handler can ask for (the mock injects them: core/faults.h).
  /// Close the connection with a TCP reset instead of answering.
  bool reset = false;
  /// Send the head and half the body, then close the connection.
  bool truncate = false;
  /// Send the head in eight pieces spread over this long.
  std::chrono::milliseconds slow_headers{0};

  static HttpResponse json(int status, const nlohmann::json& body);
  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain");
};

}  // namespace tollgate::net
