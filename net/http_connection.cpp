#include "net/http_connection.h"

#include <array>

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/text.h"

namespace tollgate::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// An absolute-form target ("http://host:port/path?q", RFC 9112 §3.2.2,
// which a server must accept) as its origin form ("/path?q").
std::string origin_form(std::string_view target) {
  const auto scheme = target.find("://");
  if (target.empty() || target.front() == '/' || scheme == std::string_view::npos) return std::string(target);
  const std::string_view name = target.substr(0, scheme);
  if (!iequals_lower(name, "http") && !iequals_lower(name, "https")) return std::string(target);
  const auto path = target.find_first_of("/?", scheme + 3);
  if (path == std::string_view::npos) return "/";
  return (target[path] == '?' ? "/" : "") + std::string(target.substr(path));
}

HttpRequest to_request(http::request<http::string_body>&& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = origin_form(req.target());
  const auto q = out.target.find('?');
  out.path = out.target.substr(0, q);
  if (q != std::string::npos) out.query = out.target.substr(q + 1);
  for (const auto& field : req) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(req.body());
  out.remote_address = remote;
  return out;
}

// The whole response head and body in one buffer, written with one call:
// cheaper than Beast's serializer for small, complete answers.
std::string serialize(HttpResponse&& res, unsigned version, bool keep_alive, bool head = false) {
  std::string out;
  out.reserve(160 + res.body.size());
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += http::obsolete_reason(static_cast<http::status>(res.status));
  out += "\r\nServer: tollgate-mock\r\n";
  if (!res.content_type.empty()) out += "Content-Type: " + res.content_type + "\r\n";
  for (const auto& [k, v] : res.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n\r\n";
  if (!head) out += res.body;  // a HEAD answer has the length of the body, not the body
  return out;
}

bool is_disconnect(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::bad_descriptor ||
         ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated;
}

Awaitable<void> wait(asio::io_context& ioc, std::chrono::microseconds d, error_code& ec) {
  asio::steady_timer timer(ioc, d);
  co_await timer.async_wait(use_ec(ec));
}

// One connection's request loop over a plain or TLS stream.
template <class Stream>
class Connection {
 public:
  Connection(ServerShared& shared, ServerWorker& worker, Stream& stream, std::string remote)
      : shared_(shared), worker_(worker), stream_(stream), lowest_(beast::get_lowest_layer(stream)),
        remote_(std::move(remote)) {}

  Awaitable<void> run() {
    bool first = true;
    while (!shared_.stopping) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
      parser.body_limit(shared_.options.body_limit);
      co_await read_request(parser, first);
      first = false;
      if (ec_ && is_disconnect(ec_)) break;
      if (ec_) {
        co_await refuse(refusal_status(), refusal_reason());
        break;
      }
      auto req = parser.release();
      if (req.version() >= 11 && req.find(http::field::host) == req.end()) {
        co_await refuse(400, "an HTTP/1.1 request must carry a Host header (RFC 9112 section 3.2)");
        break;
      }
      if (!co_await answer(std::move(req))) break;
    }
  }

 private:
  // Waiting for a request's first bytes the connection is idle, and stop()
  // may close it. From then on the whole request must arrive within
  // read_timeout, so a client trickling bytes cannot hold the worker.
  Awaitable<void> read_request(http::request_parser<http::string_body>& parser, bool first) {
    const auto& o = shared_.options;
    const bool pipelined = buffer_.size() > 0;
    auto idle_it = worker_.idle.insert(worker_.idle.end(), &lowest_);
    lowest_.expires_after(first || pipelined ? o.read_timeout : o.idle_timeout);
    if (!pipelined) buffer_.commit(co_await stream_.async_read_some(buffer_.prepare(4096), use_ec(ec_)));
    worker_.idle.erase(idle_it);
    if (ec_) co_return;
    lowest_.expires_after(o.read_timeout);
    co_await http::async_read(stream_, buffer_, parser, use_ec(ec_));
  }

  // What a read that failed with ec_ is refused with, and why.
  int refusal_status() const {
    return ec_ == http::error::body_limit ? 413 : ec_ == http::error::header_limit ? 431 : 400;
  }
  std::string refusal_reason() const {
    const auto& o = shared_.options;
    const int status = refusal_status();
    return status == 413   ? "request body larger than " + std::to_string(o.body_limit) + " bytes"
           : status == 431 ? "request headers larger than " + std::to_string(o.header_limit) + " bytes"
                           : "malformed HTTP request: " + ec_.message();
  }

  // A request we cannot accept: answered once, then the connection closes.
  Awaitable<void> refuse(int status, const std::string& what) {
    const std::string res = serialize(shared_.refusal(status, what), 11, false);
    co_await asio::async_write(stream_, asio::buffer(res), use_ec(ec_));
    // Lingering close: the client may still be sending the body we refused;
    // drain it for a moment so it can read our answer instead of a reset.
    lowest_.socket().shutdown(tcp::socket::shutdown_send, ec_);
    lowest_.expires_after(std::chrono::seconds(1));
    std::array<char, 16 * 1024> scratch;
    for (std::size_t drained = 0; drained < 64 * 1024 * 1024;) {
      const std::size_t n = co_await stream_.async_read_some(asio::buffer(scratch), use_ec(ec_));
      if (ec_) break;
      drained += n;
    }
  }

  // Handles one request and writes its answer; false when the connection
  // must close afterwards.
  Awaitable<bool> answer(http::request<http::string_body> req) {
    const unsigned version = req.version();
    const bool wants_keep_alive = req.keep_alive();
    const bool head = req.method() == http::verb::head;
    HttpResponse handled;
    try {
      handled = shared_.handler(to_request(std::move(req), remote_));
    } catch (const std::exception& e) {
      handled = shared_.refusal(500, std::string("internal error: ") + e.what());
    }
    const bool keep_alive = wants_keep_alive && !shared_.stopping;  // draining closes after this answer
    if (handled.delay.count() > 0) co_await wait(worker_.ioc, handled.delay, ec_);
    if (handled.reset) {
      // An abortive close: SO_LINGER 0 makes close() send RST.
      lowest_.socket().set_option(asio::socket_base::linger(true, 0), ec_);
      lowest_.socket().close(ec_);
      co_return false;
    }
    if (handled.stream) {
      // A streamed head is written whole: a slow head is a wait before it.
      if (handled.slow_headers.count() > 0) co_await wait(worker_.ioc, handled.slow_headers, ec_);
      co_await write_stream(std::move(handled), version, keep_alive);
      co_return !ec_ && keep_alive;
    }
    const bool truncate = handled.truncate;
    const auto slow = handled.slow_headers;
    co_await write_whole(serialize(std::move(handled), version, keep_alive, head), truncate, slow);
    co_return !ec_ && keep_alive && !truncate;  // a truncated body ends the connection
  }

  // The answer in one write; a slow head goes out in eight pieces spread
  // over `slow`, a truncated answer loses half its body.
  Awaitable<void> write_whole(std::string res, bool truncate, std::chrono::milliseconds slow) {
    const std::size_t head_end = res.find("\r\n\r\n") + 4;
    if (truncate) res.resize(res.size() - (res.size() - head_end + 1) / 2);
    std::size_t sent = 0;
    if (slow.count() > 0) {
      const std::size_t piece = (head_end + 7) / 8;
      for (; sent < head_end && !ec_; sent += piece) {
        co_await wait(worker_.ioc, slow / 8, ec_);
        if (ec_) break;
        lowest_.expires_after(shared_.options.read_timeout);
        co_await asio::async_write(stream_, asio::buffer(res.data() + sent, std::min(piece, head_end - sent)),
                                   use_ec(ec_));
      }
      sent = std::min(sent, head_end);
    }
    if (ec_) co_return;
    lowest_.expires_after(shared_.options.read_timeout);
    co_await asio::async_write(stream_, asio::buffer(res.data() + sent, res.size() - sent), use_ec(ec_));
  }

  // Sends the head, then every piece of the source as one HTTP chunk, each
  // after its delay; a client that goes away ends the stream.
  Awaitable<void> write_stream(HttpResponse response, unsigned version, bool keep_alive) {
    std::shared_ptr<StreamSource> source = std::move(response.stream);
    http::response<http::empty_body> head{static_cast<http::status>(response.status), version};
    head.set(http::field::server, "tollgate-mock");
    if (!response.content_type.empty()) head.set(http::field::content_type, response.content_type);
    for (auto& [k, v] : response.headers) head.insert(k, v);
    head.keep_alive(keep_alive);
    head.chunked(true);
    http::response_serializer<http::empty_body> serializer{head};
    lowest_.expires_after(shared_.options.read_timeout);
    co_await http::async_write_header(stream_, serializer, use_ec(ec_));
    if (!ec_ && !response.body.empty())
      co_await asio::async_write(stream_, http::make_chunk(asio::buffer(response.body)), use_ec(ec_));
    StreamChunk chunk;
    while (!ec_ && source->next(chunk)) {
      if (chunk.delay.count() > 0) co_await wait(worker_.ioc, chunk.delay, ec_);
      if (ec_) co_return;
      if (chunk.abort) {
        ec_ = asio::error::connection_aborted;  // ends the connection without the last chunk
        co_return;
      }
      if (chunk.data.empty()) continue;
      lowest_.expires_after(shared_.options.read_timeout);
      co_await asio::async_write(stream_, http::make_chunk(asio::buffer(chunk.data)), use_ec(ec_));
    }
    if (ec_) co_return;
    lowest_.expires_after(shared_.options.read_timeout);
    co_await asio::async_write(stream_, http::make_chunk_last(), use_ec(ec_));
  }

  ServerShared& shared_;
  ServerWorker& worker_;
  Stream& stream_;
  beast::tcp_stream& lowest_;
  std::string remote_;
  beast::flat_buffer buffer_;
  error_code ec_;
};

}  // namespace

HttpResponse ServerShared::refusal(int status, const std::string& message) const {
  if (options.protocol_error) return options.protocol_error(status, message);
  return HttpResponse::text(status, message + "\n");
}

Awaitable<void> serve_connection(ServerShared& shared, ServerWorker& worker, tcp::socket socket) {
  ++worker.sessions;
  beast::tcp_stream tcp_stream(std::move(socket));
  error_code ec;
  const auto remote_endpoint = tcp_stream.socket().remote_endpoint(ec);
  const std::string remote = ec ? std::string() : remote_endpoint.address().to_string();
  if (shared.tls) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *shared.tls);
    beast::get_lowest_layer(stream).expires_after(shared.options.read_timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::server, use_ec(ec));
    if (!ec) {
      co_await Connection(shared, worker, stream, remote).run();
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
      co_await stream.async_shutdown(use_ec(ec));
    }
    beast::get_lowest_layer(stream).socket().close(ec);
  } else {
    co_await Connection(shared, worker, tcp_stream, remote).run();
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_stream.socket().close(ec);
  }
  --worker.sessions;
  if (shared.stopping && worker.sessions == 0 && worker.drain_timer) worker.drain_timer->cancel();  // drained early
}

}  // namespace tollgate::net::detail
