#include "harness/http/pool.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/text.h"

namespace tollgate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using metrics::ErrorKind;
using net::use_ec;

struct ConnectionPool::Connection {
  explicit Connection(asio::io_context& ioc) : plain(ioc) {}
  beast::tcp_stream plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream&>> tls;
  beast::flat_buffer buffer;
  bool connected = false;
  int uses = 0;
  beast::tcp_stream& lowest() { return plain; }
};

namespace {

// The deadline of one phase: its own timeout, never past the total.
Clock::time_point phase(std::chrono::nanoseconds timeout, Clock::time_point total) {
  return std::min(Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout), total);
}

ErrorKind classify(const boost::system::error_code& ec, bool tls_phase) {
  if (ec == beast::error::timeout) return ErrorKind::kTimeout;
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe || ec == asio::error::eof ||
      ec == bhttp::error::end_of_stream || ec == asio::ssl::error::stream_truncated)
    return ErrorKind::kReset;
  if (tls_phase || ec.category() == asio::error::get_ssl_category()) return ErrorKind::kTls;
  if (ec == bhttp::error::partial_message || ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
      ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category())
    return ErrorKind::kProtocol;
  return ErrorKind::kReset;
}

}  // namespace

std::string serialize_request(const Request& request, const scenario::TargetUrl& target) {
  auto has = [&](const char* name) { return find_header(request.headers, name) != nullptr; };
  const bool default_port = target.port == (target.tls ? "443" : "80");
  const bool v6 = target.host.find(':') != std::string::npos;
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\n";
  if (!has("Host"))
    out += "Host: " + (v6 ? "[" + target.host + "]" : target.host) + (default_port ? "" : ":" + target.port) + "\r\n";
  if (!has("User-Agent")) out += "User-Agent: tollgate\r\n";
  for (const auto& [k, v] : request.headers) out += k + ": " + v + "\r\n";
  const bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                          request.method == "PATCH";
  if (!request.body.empty() && !has("Content-Type")) out += "Content-Type: application/json\r\n";
  if (sends_body) out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  out += "\r\n";
  out += request.body;
  return out;
}

ConnectionPool::ConnectionPool(asio::io_context& ioc, PoolOptions options) : ioc_(ioc), options_(std::move(options)) {
  if (options_.target.tls) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    tls_->set_default_verify_paths();
    if (!options_.tls.ca_file.empty()) {
      boost::system::error_code ec;
      tls_->load_verify_file(options_.tls.ca_file, ec);
      if (ec) throw std::runtime_error("tls ca_file " + options_.tls.ca_file + ": " + ec.message());
    }
    tls_->set_verify_mode(options_.tls.insecure ? asio::ssl::verify_none : asio::ssl::verify_peer);
  }
  if (options_.max_connections < 1) options_.max_connections = 1;
}

ConnectionPool::~ConnectionPool() { close_all(); }

void ConnectionPool::close_all() {
  closed_ = true;
  for (auto& c : all_) {
    boost::system::error_code ec;
    c->lowest().socket().close(ec);
  }
  idle_.clear();
  for (auto* w : waiters_) w->cancel();
  waiters_.clear();
}

net::Awaitable<std::shared_ptr<ConnectionPool::Connection>> ConnectionPool::acquire(Result& result,
                                                                                    Clock::time_point deadline) {
  while (true) {
    if (closed_) co_return nullptr;
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      ++in_use_;
      co_return c;
    }
    if (open_ < options_.max_connections) {
      ++open_;
      ++in_use_;
      auto c = std::make_shared<Connection>(ioc_);
      all_.push_back(c);
      co_return c;
    }
    // Every connection is busy: wait for one (bounded by the deadline).
    asio::steady_timer wake(ioc_, deadline);
    waiters_.push_back(&wake);
    boost::system::error_code ec;
    co_await wake.async_wait(use_ec(ec));
    std::erase(waiters_, &wake);
    if (!ec) {
      // A wake-up meant for us may have raced our deadline: pass it on.
      if (!waiters_.empty() && (!idle_.empty() || open_ < options_.max_connections)) {
        waiters_.front()->cancel();
        waiters_.pop_front();
      }
      result.error = ErrorKind::kTimeout;
      result.error_message = "timed out waiting for a free connection";
      co_return nullptr;
    }
  }
}

void ConnectionPool::release(std::shared_ptr<Connection> c, bool reusable) {
  --in_use_;
  if (reusable && !closed_) {
    idle_.push_back(std::move(c));
  } else {
    boost::system::error_code ec;
    c->lowest().socket().close(ec);
    std::erase(all_, c);
    --open_;
  }
  if (!waiters_.empty()) {
    waiters_.front()->cancel();  // wakes the longest waiter
    waiters_.pop_front();
  }
}

net::Awaitable<bool> ConnectionPool::connect(Connection& c, Result& result, Clock::time_point deadline) {
  boost::system::error_code ec;
  if (endpoints_.empty()) {
    tcp::resolver resolver(ioc_);
    auto found = co_await resolver.async_resolve(options_.target.host, options_.target.port, use_ec(ec));
    if (ec) {
      result.error = ErrorKind::kConnect;
      result.error_message = "cannot resolve " + options_.target.host + ": " + ec.message();
      co_return false;
    }
    for (const auto& e : found) endpoints_.push_back(e.endpoint());
  }
  c.plain.expires_at(phase(options_.timeouts.connect, deadline));
  co_await c.plain.async_connect(endpoints_, use_ec(ec));
  if (ec) {
    result.error = ec == beast::error::timeout ? ErrorKind::kTimeout : ErrorKind::kConnect;
    result.error_message = "connect to " + options_.target.host + ":" + options_.target.port + ": " +
                           (ec == beast::error::timeout ? std::string("timed out") : ec.message());
    co_return false;
  }
  c.plain.socket().set_option(tcp::no_delay(true), ec);
  ++opened_;
  if (tls_) {
    c.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream&>>(c.plain, *tls_);
    const std::string name = options_.tls.server_name.empty() ? options_.target.host : options_.tls.server_name;
    SSL_set_tlsext_host_name(c.tls->native_handle(), name.c_str());
    if (!options_.tls.insecure) c.tls->set_verify_callback(asio::ssl::host_name_verification(name));
    c.plain.expires_at(phase(options_.timeouts.tls, deadline));
    co_await c.tls->async_handshake(asio::ssl::stream_base::client, use_ec(ec));
    if (ec) {
      result.error = ec == beast::error::timeout ? ErrorKind::kTimeout : ErrorKind::kTls;
      result.error_message = "TLS handshake with " + name + ": " +
                             (ec == beast::error::timeout ? std::string("timed out") : ec.message());
      co_return false;
    }
  }
  c.connected = true;
  co_return true;
}

template <class Stream>
net::Awaitable<void> ConnectionPool::exchange(Stream& stream, Connection& c, const Request& request, Result& result,
                                              Clock::time_point deadline) {
  boost::system::error_code ec;
  // Requests are serialized once per step ahead of the run; a request
  // without its bytes is serialized here.
  std::string local;
  const std::string& wire = request.wire.empty() ? (local = serialize_request(request, options_.target)) : request.wire;
  c.plain.expires_at(phase(options_.timeouts.write, deadline));
  result.sent = Clock::now();
  result.bytes_out = static_cast<std::int64_t>(co_await asio::async_write(stream, asio::buffer(wire), use_ec(ec)));
  if (ec) {
    result.error = classify(ec, false);
    result.error_message = "write: " + (ec == beast::error::timeout ? std::string("timed out") : ec.message());
    co_return;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options_.max_body);
  parser.header_limit(64 * 1024);
  if (request.method == "HEAD") parser.skip(true);
  c.plain.expires_at(phase(options_.timeouts.first_byte, deadline));
  std::size_t n = co_await bhttp::async_read_header(stream, c.buffer, parser, use_ec(ec));
  result.first_byte = Clock::now();
  result.bytes_in += static_cast<std::int64_t>(n);
  // An event stream is read as it arrives, each read stamped, so that
  // chunk timings (TTFT, ITL) can be told apart.
  bool streaming = false;
  if (!ec) {
    const auto ct = parser.get()[bhttp::field::content_type];
    streaming = is_event_stream(ct);
  }
  if (!ec && !parser.is_done()) {
    c.plain.expires_at(deadline);
    if (streaming) {
      while (!ec && !parser.is_done()) {
        n = co_await bhttp::async_read_some(stream, c.buffer, parser, use_ec(ec));
        result.bytes_in += static_cast<std::int64_t>(n);
        result.marks.emplace_back(parser.get().body().size(), Clock::now() - result.sent);
      }
    } else {
      n = co_await bhttp::async_read(stream, c.buffer, parser, use_ec(ec));
      result.bytes_in += static_cast<std::int64_t>(n);
    }
  }
  result.done = Clock::now();
  auto take_head = [&](auto& res) {
    result.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      result.headers.emplace_back(ascii_lower(f.name_string()), std::string(f.value()));
    }
  };
  if (ec) {
    result.error = classify(ec, false);
    result.error_message = std::string(ec == beast::error::timeout ? "read: timed out" : "read: " + ec.message());
    if (streaming && parser.is_header_done()) {
      take_head(parser.get());
      result.body = std::move(parser.get().body());
    }
    co_return;
  }
  auto res = parser.release();
  take_head(res);
  result.body = std::move(res.body());
  if (!res.keep_alive()) c.connected = false;
}

net::Awaitable<Result> ConnectionPool::send(const Request& request) {
  Result result;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(options_.timeouts.total);
  for (int attempt = 0; attempt < 2; ++attempt) {
    result = Result{};
    auto c = co_await acquire(result, deadline);
    if (!c) {
      if (result.error == ErrorKind::kNone) result.aborted = true;
      result.done = Clock::now();
      co_return result;
    }
    const bool reused = c->connected;
    if (!reused && !co_await connect(*c, result, deadline)) {
      result.done = Clock::now();
      release(std::move(c), false);
      co_return result;
    }
    ++c->uses;
    if (c->tls)
      co_await exchange(*c->tls, *c, request, result, deadline);
    else
      co_await exchange(c->plain, *c, request, result, deadline);
    const bool ok = result.error == ErrorKind::kNone;
    if (closed_) result.aborted = !ok;
    // A kept-alive connection the server closed while idle fails before any
    // answer: try once more on a fresh one, as browsers do.
    const bool stale = reused && !ok && result.bytes_in == 0 && result.error == ErrorKind::kReset;
    const bool reusable = ok && c->connected;
    release(std::move(c), reusable);
    if (!stale || closed_) co_return result;
  }
  co_return result;
}

}  // namespace tollgate::http
