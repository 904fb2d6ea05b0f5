#pragma once
// Connections to one target, for one worker thread: the only harness code
// that touches sockets. Everything is single-threaded on the worker's
// io_context, so nothing here locks; a request reuses its connection's
// buffer and the caller's Response, so the steady state allocates nothing.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness/check/response.h"
#include "harness/http/request.h"
#include "harness/scenario/scenario.h"
#include "net/coro.h"

namespace tollgate::http {

struct PoolOptions {
  scenario::TargetUrl target;
  scenario::Timeouts timeouts;
  scenario::TlsOptions tls;
  std::size_t max_body = 64 * 1024 * 1024;
  int max_connections = 64;
};

/// Keep-alive connections to one host, at most `max_connections` of them;
/// a request waits for a free one. HTTPS verifies the certificate and host
/// name unless `tls.insecure`. Deadlines (connect, TLS, write, first byte,
/// total) are kept by a watchdog that looks every few milliseconds, not by
/// a timer per operation, so a request costs no timer system calls.
class ConnectionPool {
 public:
  /// Throws std::runtime_error when the TLS settings cannot be used.
  ConnectionPool(boost::asio::io_context& ioc, PoolOptions options, const Clock& clock = system_clock());
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  /// Sends one request and reads the whole answer (bounded by max_body)
  /// into `out`, which is cleared first. Failures are data: out.error and
  /// out.error_message; a request cut by close_all() is out.aborted.
  net::Awaitable<void> send(const Request& request, check::Response& out);
  /// Closes every connection and ends every wait; requests in flight end
  /// as aborted. Idempotent.
  void close_all();

  std::uint64_t connections_opened() const { return opened_; }

  struct Connection;  ///< defined in pool.cpp

 private:
  struct Waiter;
  std::shared_ptr<Connection> take_idle();
  net::Awaitable<std::shared_ptr<Connection>> acquire(check::Response& out, Clock::TimePoint deadline);
  void release(std::shared_ptr<Connection> c, bool reusable);
  net::Awaitable<bool> connect(Connection& c, check::Response& out, Clock::TimePoint deadline);
  net::Awaitable<bool> resolve(check::Response& out);
  template <class Stream>
  net::Awaitable<void> exchange(Stream& stream, Connection& c, const Request& request, check::Response& out,
                                Clock::TimePoint now, Clock::TimePoint deadline);
  void watch(Connection& c, const char* phase, Clock::TimePoint deadline);
  void start_watchdog();
  net::Awaitable<void> watchdog();

  boost::asio::io_context& ioc_;
  PoolOptions options_;
  const Clock& clock_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  std::vector<std::shared_ptr<Connection>> idle_;
  std::vector<std::shared_ptr<Connection>> all_;
  std::deque<boost::asio::steady_timer*> waiters_;  ///< requests waiting for a free connection
  boost::asio::steady_timer watchdog_timer_;
  std::chrono::milliseconds watchdog_tick_;
  bool watchdog_running_ = false;
  int open_ = 0;
  int busy_ = 0;
  std::uint64_t opened_ = 0;
  bool closed_ = false;
};

}  // namespace tollgate::http
