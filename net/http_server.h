#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
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

/// HTTP/1.1 server on Boost.Beast: one io_context and one SO_REUSEPORT
/// acceptor per worker thread, keep-alive, pipelining, body and header
/// limits, read and idle timeouts, graceful drain on stop().
class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts the worker threads; returns the bound port.
  /// Throws std::runtime_error naming the address when binding fails.
  std::uint16_t start();
  /// Stops accepting, closes idle connections, lets in-flight requests
  /// finish (up to drain_timeout), then stops. Safe from any thread, once
  /// or more.
  void stop();
  /// Blocks until every worker has finished.
  void wait();

  std::uint16_t port() const;
  /// Connections accepted so far (tests use it to prove keep-alive).
  std::uint64_t connections_accepted() const;

  struct State;  ///< defined where Asio is

 private:
  std::unique_ptr<State> state_;
};

}  // namespace tollgate::net
