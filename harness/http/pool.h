#pragma once
// Connections to one target, for one worker thread: the only harness code
// that touches sockets. Everything is single-threaded on the worker's
// io_context, so nothing here locks.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness/metrics/step_metrics.h"
#include "harness/scenario/scenario.h"
#include "net/coro.h"

namespace tollgate::http {

using Clock = std::chrono::steady_clock;

struct Request {
  std::string method;
  std::string target;  ///< path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// The bytes on the wire, when serialized once ahead (serialize_request);
  /// otherwise the pool serializes the request for every send.
  std::string wire;
};

/// The HTTP/1.1 bytes of `request` for `target` (Host with the port when it
/// is not the scheme's default, Content-Type JSON for a body without one).
std::string serialize_request(const Request& request, const scenario::TargetUrl& target);

/// The outcome of one request: a response or a classified failure.
struct Result {
  int status = 0;
  metrics::ErrorKind error = metrics::ErrorKind::kNone;
  std::string error_message;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names in lower case
  std::string body;
  std::int64_t bytes_in = 0;
  std::int64_t bytes_out = 0;
  Clock::time_point sent;        ///< the request's first byte went out
  Clock::time_point first_byte;  ///< the response head arrived
  Clock::time_point done;
  bool aborted = false;          ///< cut by a stop: not a measurement
  /// Event streams: (body bytes so far, time since sent) after each read.
  /// A stream that breaks keeps its status, headers and partial body.
  std::vector<std::pair<std::size_t, std::chrono::nanoseconds>> marks;
};

struct PoolOptions {
  scenario::TargetUrl target;
  scenario::Timeouts timeouts;
  scenario::TlsOptions tls;
  std::size_t max_body = 64 * 1024 * 1024;
  int max_connections = 64;
};

/// Keep-alive connections to one host, at most `max_connections` of them;
/// a request waits for a free one. HTTPS verifies the certificate and host
/// name unless `tls.insecure`.
class ConnectionPool {
 public:
  /// Throws std::runtime_error when the TLS settings cannot be used.
  ConnectionPool(boost::asio::io_context& ioc, PoolOptions options);
  ~ConnectionPool();

  /// Sends one request and reads the whole response (bounded by max_body).
  net::Awaitable<Result> send(const Request& request);
  /// Closes every connection; requests in flight end as aborted.
  void close_all();

  std::uint64_t connections_opened() const { return opened_; }
  int in_use() const { return in_use_; }

 private:
  struct Connection;
  net::Awaitable<std::shared_ptr<Connection>> acquire(Result& result, Clock::time_point deadline);
  void release(std::shared_ptr<Connection> c, bool reusable);
  net::Awaitable<bool> connect(Connection& c, Result& result, Clock::time_point deadline);
  template <class Stream>
  net::Awaitable<void> exchange(Stream& stream, Connection& c, const Request& request, Result& result,
                                Clock::time_point deadline);

  boost::asio::io_context& ioc_;
  PoolOptions options_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  std::vector<std::shared_ptr<Connection>> idle_;
  std::vector<std::shared_ptr<Connection>> all_;
  std::deque<boost::asio::steady_timer*> waiters_;
  int open_ = 0;
  int in_use_ = 0;
  std::uint64_t opened_ = 0;
  bool closed_ = false;
};

}  // namespace tollgate::http
