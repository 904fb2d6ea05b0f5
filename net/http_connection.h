#pragma once
// One accepted connection of the HTTP server: its request loop, plain or
// TLS, and the ways an answer is written (whole, streamed, or with the
// faults a handler asked for). Internal to net/.
#include <atomic>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/coro.h"
#include "net/server_options.h"

namespace tollgate::net::detail {

/// One server thread: its io_context, acceptor and the connections it
/// serves. Everything but `ioc` and `acceptor` is touched only on its thread.
struct ServerWorker {
  boost::asio::io_context ioc{1};
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
  std::list<boost::beast::tcp_stream*> idle;  ///< connections waiting for their next request
  int sessions = 0;
  std::unique_ptr<boost::asio::steady_timer> drain_timer;
  std::thread thread;
};

/// What every connection of one server shares.
struct ServerShared {
  ServerOptions options;
  Handler handler;
  std::unique_ptr<boost::asio::ssl::context> tls;  ///< set when serving HTTPS
  std::atomic<bool> stopping{false};

  /// The body of a refusal the server makes itself (the application's
  /// shape when it gave one).
  HttpResponse refusal(int status, const std::string& message) const;
};

/// Serves one accepted connection until it closes, errs or the server stops.
Awaitable<void> serve_connection(ServerShared& shared, ServerWorker& worker, boost::asio::ip::tcp::socket socket);

}  // namespace tollgate::net::detail
