#include "net/http_server.h"

#include <stdexcept>
#include <vector>

#include "net/http_connection.h"
#include "net/tls.h"

namespace tollgate::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using detail::ServerWorker;

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

struct HttpServer::State {
  detail::ServerShared shared;
  std::vector<std::unique_ptr<ServerWorker>> workers;
  std::uint16_t port = 0;
  std::atomic<std::uint64_t> accepted{0};

  Awaitable<void> accept_loop(ServerWorker* w) {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await w->acceptor->async_accept(use_ec(ec));
      if (ec == asio::error::operation_aborted || !w->acceptor->is_open()) co_return;
      if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
      ++accepted;
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(w->ioc, detail::serve_connection(shared, *w, std::move(socket)), asio::detached);
    }
  }

  // One acceptor per worker thread on the same port (SO_REUSEPORT).
  std::unique_ptr<tcp::acceptor> listen(asio::io_context& ioc, const asio::ip::address& address, std::uint16_t port) {
    auto acceptor = std::make_unique<tcp::acceptor>(ioc);
    const tcp::endpoint endpoint{address, port};
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->set_option(ReusePort(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + shared.options.host + ":" + std::to_string(port) + ": " +
                               ec.message());
    return acceptor;
  }
};

HttpServer::HttpServer(ServerOptions options, Handler handler) : state_(std::make_unique<State>()) {
  state_->shared.options = std::move(options);
  state_->shared.handler = std::move(handler);
}

HttpServer::~HttpServer() {
  stop();
  wait();
}

std::uint16_t HttpServer::port() const { return state_->port; }
std::uint64_t HttpServer::connections_accepted() const { return state_->accepted.load(); }

std::uint16_t HttpServer::start() {
  State& s = *state_;
  const ServerOptions& o = s.shared.options;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) s.shared.tls = server_tls(o.tls_cert, o.tls_key);
  const unsigned n = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + o.host + "': " + ec.message());
  std::uint16_t port = o.port;
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<ServerWorker>();
    w->acceptor = s.listen(w->ioc, address, port);
    port = w->acceptor->local_endpoint().port();  // the other workers share the port the first one got
    s.workers.push_back(std::move(w));
  }
  s.port = port;
  for (auto& w : s.workers) {
    asio::co_spawn(w->ioc, s.accept_loop(w.get()), asio::detached);
    w->thread = std::thread([w = w.get()] { w->ioc.run(); });
  }
  return port;
}

void HttpServer::stop() {
  State& s = *state_;
  if (s.shared.stopping.exchange(true)) return;
  for (auto& wp : s.workers) {
    ServerWorker* w = wp.get();
    asio::post(w->ioc, [&s, w] {
      boost::system::error_code ec;
      w->acceptor->close(ec);
      for (auto* stream : w->idle) stream->socket().close(ec);
      if (w->sessions == 0) return;  // nothing in flight: the loop runs out of work now
      w->drain_timer = std::make_unique<asio::steady_timer>(w->ioc, s.shared.options.drain_timeout);
      w->drain_timer->async_wait([w](const boost::system::error_code& e) {
        if (!e) w->ioc.stop();  // the drain bound passed: drop what is left
      });
    });
  }
}

void HttpServer::wait() {
  for (auto& w : state_->workers)
    if (w->thread.joinable()) w->thread.join();
}

}  // namespace tollgate::net
