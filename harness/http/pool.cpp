#include "harness/http/pool.h"

#include <cstdlib>
#include <cstring>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "harness/http/response_parser.h"
#include "net/tls.h"

namespace tollgate::http {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using metrics::ErrorKind;
using net::use_ec;

struct ConnectionPool::Connection {
  /// A read buffer starts small (a stream's chunk, a small answer) and
  /// doubles, up to kMaxBuffer, each time a read fills it (a large body).
  static constexpr std::size_t kMinBuffer = 4 * 1024, kMaxBuffer = 64 * 1024;
  explicit Connection(asio::io_context& ioc) : socket(ioc), buffer(kMinBuffer) {}
  Socket socket;
  std::unique_ptr<ssl::stream<Socket&>> tls;
  std::vector<char> buffer;      ///< bytes read and not yet parsed: [start, end)
  std::size_t start = 0, end = 0;
  ResponseParser parser;
  bool connected = false;
  // What the watchdog looks at: the operation under way and its deadline.
  const char* phase = nullptr;   ///< "connect", "TLS handshake", "write", "read"; nullptr when idle
  Clock::TimePoint deadline = Clock::TimePoint::max();
  bool timed_out = false;
};

namespace {

// The deadline of one phase: its own timeout, never past the total.
Clock::TimePoint phase_deadline(const Clock& clock, std::chrono::nanoseconds timeout, Clock::TimePoint total) {
  return std::min(clock.now() + std::chrono::duration_cast<Clock::Duration>(timeout), total);
}

ErrorKind classify(const error_code& ec) {
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe || ec == asio::error::eof ||
      ec == ssl::error::stream_truncated)
    return ErrorKind::kReset;
  if (ec.category() == asio::error::get_ssl_category()) return ErrorKind::kTls;
  return ErrorKind::kReset;
}

// A failed operation: timed out (the watchdog cancelled it) or what the
// system said.
void fail(check::Response& out, const ConnectionPool::Connection& c, const error_code& ec, ErrorKind kind) {
  out.error = c.timed_out ? ErrorKind::kTimeout : kind;
  out.error_message = std::string(c.phase ? c.phase : "request") + ": " + (c.timed_out ? "timed out" : ec.message());
}

bool end_of_input(const error_code& ec) { return ec == asio::error::eof || ec == ssl::error::stream_truncated; }

}  // namespace

ConnectionPool::ConnectionPool(asio::io_context& ioc, PoolOptions options, const Clock& clock)
    : ioc_(ioc), options_(std::move(options)), clock_(clock), watchdog_timer_(ioc) {
  if (options_.target.tls) tls_ = net::client_tls(options_.tls.ca_file, options_.tls.insecure);
  if (options_.max_connections < 1) options_.max_connections = 1;
  // The watchdog looks ten times within the shortest timeout, 1 to 100 ms apart.
  const auto& t = options_.timeouts;
  const auto shortest = std::min({t.connect, t.tls, t.write, t.first_byte, t.total});
  watchdog_tick_ = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(shortest / 10),
                              std::chrono::milliseconds(1), std::chrono::milliseconds(100));
  // A numeric host (127.0.0.1, ::1) needs no resolver.
  error_code ec;
  const auto address = asio::ip::make_address(options_.target.host, ec);
  const auto port = std::strtoul(options_.target.port.c_str(), nullptr, 10);
  if (!ec && port > 0 && port < 65536) endpoints_.emplace_back(address, static_cast<unsigned short>(port));
}

ConnectionPool::~ConnectionPool() { close_all(); }

void ConnectionPool::close_all() {
  closed_ = true;
  for (auto& c : all_) {
    error_code ec;
    c->socket.close(ec);
  }
  idle_.clear();
  for (auto* w : waiters_) w->cancel();
  waiters_.clear();
  watchdog_timer_.cancel();
}

void ConnectionPool::watch(Connection& c, const char* phase, Clock::TimePoint deadline) {
  c.phase = phase;
  c.deadline = deadline;
  c.timed_out = false;
  start_watchdog();
}

void ConnectionPool::start_watchdog() {
  if (watchdog_running_ || closed_) return;
  watchdog_running_ = true;
  asio::co_spawn(ioc_, watchdog(), asio::detached);
}

// Every tick while requests are under way: an operation past its deadline
// is cancelled, and ends as timed out. Idle, it stops (so that a worker
// with nothing left to do finishes).
Task<void> ConnectionPool::watchdog() {
  while (!closed_ && busy_ > 0) {
    watchdog_timer_.expires_after(watchdog_tick_);
    error_code ec;
    co_await watchdog_timer_.async_wait(on_ec(ec));
    const auto now = clock_.now();
    for (auto& c : all_)
      if (c->phase && !c->timed_out && now >= c->deadline) {
        c->timed_out = true;
        c->socket.cancel(ec);
      }
  }
  watchdog_running_ = false;
}

std::shared_ptr<ConnectionPool::Connection> ConnectionPool::take_idle() {
  if (closed_) return nullptr;
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    ++busy_;
    return c;
  }
  if (open_ >= options_.max_connections) return nullptr;
  ++open_;
  ++busy_;
  auto c = std::make_shared<Connection>(ioc_);
  all_.push_back(c);
  return c;
}

// Every connection is busy: waits for one, bounded by the deadline.
Task<std::shared_ptr<ConnectionPool::Connection>> ConnectionPool::acquire(check::Response& out,
                                                                                    Clock::TimePoint deadline) {
  while (!closed_) {
    if (auto c = take_idle()) co_return c;
    Timer wake(ioc_, deadline);
    waiters_.push_back(&wake);
    error_code ec;
    co_await wake.async_wait(on_ec(ec));
    std::erase(waiters_, &wake);
    if (!ec) {
      // A wake-up meant for us may have raced our deadline: pass it on.
      if (!waiters_.empty() && (!idle_.empty() || open_ < options_.max_connections)) {
        waiters_.front()->cancel();
        waiters_.pop_front();
      }
      out.error = ErrorKind::kTimeout;
      out.error_message = "timed out waiting for a free connection";
      co_return nullptr;
    }
  }
  co_return nullptr;
}

void ConnectionPool::release(std::shared_ptr<Connection> c, bool reusable) {
  --busy_;
  c->phase = nullptr;
  if (reusable && !closed_) {
    idle_.push_back(std::move(c));
  } else {
    error_code ec;
    c->socket.close(ec);
    std::erase(all_, c);
    --open_;
  }
  if (!waiters_.empty()) {
    waiters_.front()->cancel();  // wakes the longest waiter
    waiters_.pop_front();
  }
}

Task<bool> ConnectionPool::resolve(check::Response& out) {
  if (!endpoints_.empty()) co_return true;
  // The guard's handler may already be queued (expired) when the resolve
  // completes: it holds the resolver weakly, so it never touches one this
  // frame has destroyed.
  auto resolver = std::make_shared<Resolver>(ioc_);
  Timer guard(ioc_, std::chrono::duration_cast<Clock::Duration>(options_.timeouts.connect));
  guard.async_wait([weak = std::weak_ptr<Resolver>(resolver)](const error_code& e) {
    if (auto r = weak.lock(); r && !e) r->cancel();
  });
  error_code ec;
  auto found = co_await resolver->async_resolve(options_.target.host, options_.target.port, on_ec(ec));
  guard.cancel();
  if (ec) {
    out.error = ec == asio::error::operation_aborted ? ErrorKind::kTimeout : ErrorKind::kConnect;
    out.error_message = "cannot resolve " + options_.target.host + ": " +
                        (ec == asio::error::operation_aborted ? std::string("timed out") : ec.message());
    co_return false;
  }
  // Connections opened at once each resolve; the first answer is kept
  // (appending every one would make the list, which each connect copies,
  // as long as the number of connections: memory by their square).
  if (endpoints_.empty())
    for (const auto& e : found) endpoints_.push_back(e.endpoint());
  co_return true;
}

Task<bool> ConnectionPool::connect(Connection& c, check::Response& out, Clock::TimePoint deadline) {
  if (!co_await resolve(out)) co_return false;
  error_code ec;
  watch(c, "connect", phase_deadline(clock_, options_.timeouts.connect, deadline));
  co_await asio::async_connect(c.socket, endpoints_, on_ec(ec));
  if (ec) {
    out.error = c.timed_out ? ErrorKind::kTimeout : ErrorKind::kConnect;
    out.error_message = "connect to " + options_.target.host + ":" + options_.target.port + ": " +
                        (c.timed_out ? std::string("timed out") : ec.message());
    co_return false;
  }
  c.socket.set_option(tcp::no_delay(true), ec);
  ++opened_;
  if (tls_) {
    c.tls = std::make_unique<ssl::stream<Socket&>>(c.socket, *tls_);
    const std::string name = options_.tls.server_name.empty() ? options_.target.host : options_.tls.server_name;
    net::prepare_client_stream(*c.tls, name, options_.tls.insecure);
    watch(c, "TLS handshake", phase_deadline(clock_, options_.timeouts.tls, deadline));
    co_await c.tls->async_handshake(ssl::stream_base::client, on_ec(ec));
    if (ec) {
      out.error = c.timed_out ? ErrorKind::kTimeout : ErrorKind::kTls;
      out.error_message = "TLS handshake with " + name + ": " + (c.timed_out ? std::string("timed out") : ec.message());
      co_return false;
    }
  }
  c.connected = true;
  co_return true;
}

// The two I/O calls of an exchange, on the plain or TLS stream. Not
// coroutines: each returns its operation to co_await, so that send() stays
// the request's only coroutine frame (which Asio recycles from one request
// to the next: no allocation).
Task<std::size_t> ConnectionPool::write_to(Connection& c, const std::string& bytes, error_code& ec) {
  if (c.tls) return asio::async_write(*c.tls, asio::buffer(bytes), on_ec(ec));
  return asio::async_write(c.socket, asio::buffer(bytes), on_ec(ec));
}

Task<std::size_t> ConnectionPool::read_from(Connection& c, error_code& ec) {
  if (c.end == c.buffer.size()) {  // only bytes of a next answer are kept: make room
    std::memmove(c.buffer.data(), c.buffer.data() + c.start, c.end - c.start);
    c.end -= c.start;
    c.start = 0;
  }
  const auto room = asio::buffer(c.buffer.data() + c.end, c.buffer.size() - c.end);
  if (c.tls) return c.tls->async_read_some(room, on_ec(ec));
  return c.socket.async_read_some(room, on_ec(ec));
}

// Feeds what the connection holds to the parser.
void ConnectionPool::feed(Connection& c, std::chrono::nanoseconds arrived) {
  c.start += c.parser.feed(c.buffer.data() + c.start, c.end - c.start, arrived);
  if (c.start == c.end) c.start = c.end = 0;
}

// After a read of `n` bytes: parse them, stamp a stream's arrival, and let
// the total deadline alone bound the body once the head is in. False when
// the read failed (the answer is then failed).
bool ConnectionPool::absorb(Connection& c, check::Response& out, std::size_t n, const error_code& ec,
                            Clock::TimePoint deadline) {
  out.bytes_in += static_cast<std::int64_t>(n);
  const auto now = clock_.now();
  if (n > 0 && out.first_byte == Clock::TimePoint{}) out.first_byte = now;
  c.end += n;
  // A stream's reads stay small however far behind the reader is: more
  // bytes at once would only be more memory per stream.
  if (c.end == c.buffer.size() && c.buffer.size() < Connection::kMaxBuffer && !out.event_stream)
    c.buffer.resize(c.buffer.size() * 2);
  if (ec && !(end_of_input(ec) && !c.timed_out)) {
    out.done = clock_.now();
    c.connected = false;
    if (!out.event_stream) out.status = 0;  // only a stream keeps what arrived of a broken answer
    fail(out, c, ec, classify(ec));
    return false;
  }
  const bool had_head = c.parser.head_done();
  feed(c, now - out.sent);
  if (ec) c.parser.end_of_input();
  if (!had_head && c.parser.head_done()) c.deadline = deadline;
  return true;
}

// The answer is in (or its parse failed).
void ConnectionPool::finish(Connection& c, check::Response& out) {
  out.done = clock_.now();
  if (c.parser.failed()) {
    c.connected = false;
    out.error = c.parser.failure() == ResponseParser::Failure::kClosedEarly ? ErrorKind::kReset : ErrorKind::kProtocol;
    out.error_message = "read: " + c.parser.error();
    if (!out.event_stream) out.status = 0;
  } else if (!c.parser.keep_alive()) {
    c.connected = false;
  }
}

// One request: a connection (a kept-alive one, or a new one), the request
// written, the answer read; all in this one coroutine.
Task<void> ConnectionPool::send(const Request& request, check::Response& out, Reading reading) {
  // Requests are serialized once per step ahead of the run; one without
  // its bytes is serialized here.
  std::string local;
  const std::string& wire = request.wire.empty() ? (local = serialize_request(request, options_.target)) : request.wire;
  const auto began = clock_.now();
  const auto deadline = began + std::chrono::duration_cast<Clock::Duration>(options_.timeouts.total);
  for (int attempt = 0; attempt < 2; ++attempt) {
    out.clear();
    out.began = began;
    auto c = take_idle();
    const bool waited = !c;
    if (!c && !closed_) c = co_await acquire(out, deadline);
    if (!c) {
      if (out.error == ErrorKind::kNone) out.aborted = true;
      out.done = clock_.now();
      co_return;
    }
    const bool reused = c->connected;
    if (!reused && !co_await connect(*c, out, deadline)) {
      out.done = clock_.now();
      release(std::move(c), false);
      co_return;
    }
    // The exchange, in this one coroutine. A kept-alive connection taken at
    // once starts writing now: one clock reading stamps the send and sets
    // the write and first-byte deadlines.
    const auto now = reused && !waited && attempt == 0 ? began : clock_.now();
    const auto within = [&](std::chrono::nanoseconds timeout) {
      return std::min(now + std::chrono::duration_cast<Clock::Duration>(timeout), deadline);
    };
    error_code ec;
    watch(*c, "write", within(options_.timeouts.write));
    out.sent = now;
    out.bytes_out = static_cast<std::int64_t>(co_await write_to(*c, wire, ec));
    if (ec) {
      fail(out, *c, ec, classify(ec));
    } else {
      c->parser.start(out, request.method == "HEAD",
                      {64 * 1024, options_.max_body, reading.keep, options_.max_event, reading.stream_keep}, reading.stream);
      watch(*c, "read", within(options_.timeouts.first_byte));
      if (c->start < c->end) feed(*c, clock_.now() - out.sent);  // bytes that came after the previous answer
      bool read_ok = true;
      while (read_ok && !c->parser.done() && !c->parser.failed()) {
        const std::size_t n = co_await read_from(*c, ec);
        read_ok = absorb(*c, out, n, ec, deadline);
      }
      if (read_ok) finish(*c, out);
    }
    const bool ok = out.error == ErrorKind::kNone;
    if (closed_) out.aborted = !ok;
    // A kept-alive connection the server closed while idle fails before any
    // answer: try once more on a fresh one, as browsers do.
    const bool stale = reused && !ok && out.bytes_in == 0 && out.error == ErrorKind::kReset;
    const bool reusable = ok && c->connected;
    release(std::move(c), reusable);
    if (!stale || closed_) co_return;
  }
}

}  // namespace tollgate::http
