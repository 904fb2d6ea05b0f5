#pragma once
// What a server is given: where to listen, its limits and timeouts, the
// handler of every request and the shape of its own refusals.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "net/http_types.h"

namespace tollgate::net {

/// The answer to a request the server refuses itself (413 too large, 431
/// headers too large, 400 malformed) or whose handler threw (500): the
/// application gives it its own error shape. The default is plain text.
using ProtocolError = std::function<HttpResponse(int status, const std::string& message)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: an ephemeral port
  unsigned threads = 0;    ///< 0: one per core
  std::size_t body_limit = 10 * 1024 * 1024;  ///< larger bodies get 413
  std::size_t header_limit = 16 * 1024;       ///< larger headers get 431
  /// Deadline for reading one whole request (headers and body) once its
  /// first byte may arrive: a slow-loris client cannot hold a worker longer.
  std::chrono::milliseconds read_timeout{10'000};
  /// How long a kept-alive connection may sit idle between requests.
  std::chrono::milliseconds idle_timeout{60'000};
  /// PEM files; when both are set the server speaks HTTPS only.
  std::string tls_cert;
  std::string tls_key;
  /// On stop, in-flight requests get this long to finish.
  std::chrono::milliseconds drain_timeout{5'000};
  /// The body of the server's own refusals (empty: plain text).
  ProtocolError protocol_error;
};

/// Handles one request; called on a worker thread, possibly concurrently.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace tollgate::net
