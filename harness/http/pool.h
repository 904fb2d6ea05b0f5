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
#include "harness/http/io.h"

#include "harness/check/response.h"
#include "harness/http/request.h"
#include "harness/scenario/scenario.h"

namespace tollgate::http {

/// How one answer is read: the bytes of its body kept (ResponseParser::
/// Limits::keep and stream_keep) and what its event stream, if it is one,
/// is judged by as it arrives (null: a plain [DONE] stream).
struct Reading {
  std::size_t keep = static_cast<std::size_t>(-1);
  std::size_t stream_keep = static_cast<std::size_t>(-1);
  const check::StreamExpectations* stream = nullptr;
};

struct PoolOptions {
  scenario::TargetUrl target;
  scenario::Timeouts timeouts;
  scenario::TlsOptions tls;
  std::size_t max_body = 64 * 1024 * 1024;
  std::size_t max_event = 1024 * 1024;
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

  /// Sends one request and reads the whole answer (bounded by max_body,
  /// an event stream's events by max_event) into `out`, which is cleared
  /// first, keeping of its body what `reading` says. Failures are data:
  /// out.error and out.error_message; a request cut by close_all() is
  /// out.aborted.
  /// `reading` is taken by value: the coroutine may outlive the caller's
  /// expression (co_spawn of send(...) runs it later).
  Task<void> send(const Request& request, check::Response& out, Reading reading = {});
  /// Closes every connection and ends every wait; requests in flight end
  /// as aborted. Idempotent.
  void close_all();

  std::uint64_t connections_opened() const { return opened_; }
  /// Where connections go: the host's addresses, resolved once (a numeric
  /// host: its one address, no resolver).
  std::size_t endpoints() const { return endpoints_.size(); }

  struct Connection;  ///< defined in pool.cpp

 private:
  struct Waiter;
  std::shared_ptr<Connection> take_idle();
  Task<std::shared_ptr<Connection>> acquire(check::Response& out, Clock::TimePoint deadline);
  void release(std::shared_ptr<Connection> c, bool reusable);
  Task<bool> connect(Connection& c, check::Response& out, Clock::TimePoint deadline);
  Task<bool> resolve(check::Response& out);
  Task<std::size_t> write_to(Connection& c, const std::string& bytes, boost::system::error_code& ec);
  Task<std::size_t> read_from(Connection& c, boost::system::error_code& ec);
  void feed(Connection& c, std::chrono::nanoseconds arrived);
  bool absorb(Connection& c, check::Response& out, std::size_t n, const boost::system::error_code& ec,
              Clock::TimePoint deadline);
  void finish(Connection& c, check::Response& out);
  void watch(Connection& c, const char* phase, Clock::TimePoint deadline);
  void start_watchdog();
  Task<void> watchdog();

  boost::asio::io_context& ioc_;
  PoolOptions options_;
  const Clock& clock_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  std::vector<std::shared_ptr<Connection>> idle_;
  std::vector<std::shared_ptr<Connection>> all_;
  std::deque<Timer*> waiters_;  ///< requests waiting for a free connection
  Timer watchdog_timer_;
  std::chrono::milliseconds watchdog_tick_;
  bool watchdog_running_ = false;
  int open_ = 0;
  int busy_ = 0;
  std::uint64_t opened_ = 0;
  bool closed_ = false;
};

}  // namespace tollgate::http
