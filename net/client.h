#pragma once
// A small HTTP/1.1 client for one-off requests (the mock's callbacks, the
// harness's own probes): one connection, one exchange, every step under
// one deadline. The load path uses harness/http's pools instead.
#include <chrono>
#include <cstddef>
#include <string>

#include "common/text.h"

namespace tollgate::net {

struct ClientRequest {
  std::string method = "GET";
  std::string host;  ///< a name or an address (IPv6 without brackets)
  std::string port = "80";
  std::string target = "/";
  Headers headers;   ///< Host, User-Agent and Content-Length are added
  std::string body;
  std::chrono::milliseconds timeout{5000};  ///< resolve, connect, send and the whole answer
  /// Refuse to connect unless every address `host` resolves to is loopback.
  bool loopback_only = false;
  std::size_t max_body = 16 * 1024 * 1024;
};

struct ClientResponse {
  int status = 0;  ///< 0 when no answer came
  Headers headers;
  std::string body;
  std::string error;  ///< "" when an answer came; else what went wrong ("timed out after 5000 ms", ...)
};

/// Sends `request` and reads the answer; blocks the calling thread for at
/// most `request.timeout`. Never throws.
ClientResponse fetch(const ClientRequest& request);

}  // namespace tollgate::net
