#pragma once
#include <cstdint>
#include <memory>

#include "net/server_options.h"

namespace tollgate::net {

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
