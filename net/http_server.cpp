#include "net/http_server.h"

#include <array>
#include <atomic>
#include <list>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/asio/ssl.hpp>

#include "net/coro.h"

namespace tollgate::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using net::Awaitable;
using net::use_ec;

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

struct Worker {
  asio::io_context ioc{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  // Everything below is touched only on this worker's thread.
  std::list<beast::tcp_stream*> idle;  ///< connections waiting for their next request
  int sessions = 0;
  std::unique_ptr<asio::steady_timer> drain_timer;
  std::thread thread;
};

HttpRequest to_request(http::request<http::string_body>&& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
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

HttpResponse protocol_error(int status, const std::string& message) {
  return HttpResponse::json(status, {{"error", {{"message", message}, {"type", "invalid_request_error"}}}});
}

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::bad_descriptor ||
         ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

struct HttpServer::State {
  ServerOptions options;
  Handler handler;
  std::vector<std::unique_ptr<Worker>> workers;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> accepted{0};

  std::unique_ptr<asio::ssl::context> tls;  ///< set when serving HTTPS

  Awaitable<void> session(Worker* w, tcp::socket socket);
  template <class Stream>
  Awaitable<void> serve(Worker* w, Stream& stream, const std::string& remote);
  template <class Stream>
  Awaitable<void> write_stream(Worker* w, Stream& stream, HttpResponse response, unsigned version, bool keep_alive,
                               boost::system::error_code& ec);
  Awaitable<void> accept_loop(Worker* w);
  void session_ended(Worker* w);
};

Awaitable<void> HttpServer::State::session(Worker* w, tcp::socket socket) {
  ++w->sessions;
  beast::tcp_stream tcp_stream(std::move(socket));
  boost::system::error_code ec;
  const auto remote_endpoint = tcp_stream.socket().remote_endpoint(ec);
  const std::string remote = ec ? std::string() : remote_endpoint.address().to_string();
  if (tls) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::server, use_ec(ec));
    if (!ec) {
      co_await serve(w, stream, remote);
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
      co_await stream.async_shutdown(use_ec(ec));
    }
    beast::get_lowest_layer(stream).socket().close(ec);
  } else {
    co_await serve(w, tcp_stream, remote);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_stream.socket().close(ec);
  }
  session_ended(w);
}

// The request loop of one connection, plain or TLS.
template <class Stream>
Awaitable<void> HttpServer::State::serve(Worker* w, Stream& stream, const std::string& remote) {
  beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  bool first = true;
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
    // Waiting for a request's first bytes the connection is idle, and stop()
    // may close it. From then on the whole request must arrive within
    // read_timeout, so a client trickling bytes cannot hold the worker.
    const bool pipelined = buffer.size() > 0;
    auto idle_it = w->idle.insert(w->idle.end(), &lowest);
    lowest.expires_after(first || pipelined ? options.read_timeout : options.idle_timeout);
    if (!pipelined) buffer.commit(co_await stream.async_read_some(buffer.prepare(4096), use_ec(ec)));
    w->idle.erase(idle_it);
    first = false;
    if (ec && is_disconnect(ec)) break;
    lowest.expires_after(options.read_timeout);
    co_await http::async_read(stream, buffer, parser, use_ec(ec));
    if (ec && is_disconnect(ec)) break;
    if (ec) {
      // A request we cannot accept: answer once, then close.
      const int status = ec == http::error::body_limit ? 413 : ec == http::error::header_limit ? 431 : 400;
      const std::string what =
          status == 413   ? "request body larger than " + std::to_string(options.body_limit) + " bytes"
          : status == 431 ? "request headers larger than " + std::to_string(options.header_limit) + " bytes"
                          : "malformed HTTP request: " + ec.message();
      const std::string res = serialize(protocol_error(status, what), 11, false);
      co_await asio::async_write(stream, asio::buffer(res), use_ec(ec));
      // Lingering close: the client may still be sending the body we
      // refused; drain it for a moment so it can read our answer instead
      // of a reset.
      lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest.expires_after(std::chrono::seconds(1));
      std::array<char, 16 * 1024> scratch;
      for (std::size_t drained = 0; drained < 64 * 1024 * 1024;) {
        const std::size_t n = co_await stream.async_read_some(asio::buffer(scratch), use_ec(ec));
        if (ec) break;
        drained += n;
      }
      break;
    }
    auto req = parser.release();
    const unsigned version = req.version();
    const bool wants_keep_alive = req.keep_alive();
    const bool head = req.method() == http::verb::head;
    HttpResponse handled;
    try {
      handled = handler(to_request(std::move(req), remote));
    } catch (const std::exception& e) {
      handled = protocol_error(500, std::string("internal error: ") + e.what());
    }
    const bool keep_alive = wants_keep_alive && !stopping;  // draining closes after this answer
    if (handled.delay.count() > 0) {
      asio::steady_timer timer(w->ioc, handled.delay);
      co_await timer.async_wait(use_ec(ec));
    }
    if (handled.reset) {
      // An abortive close: SO_LINGER 0 makes close() send RST.
      lowest.socket().set_option(asio::socket_base::linger(true, 0), ec);
      lowest.socket().close(ec);
      break;
    }
    if (handled.stream) {
      if (handled.slow_headers.count() > 0) {  // a streamed head is written whole: the wait comes first
        asio::steady_timer timer(w->ioc, handled.slow_headers);
        co_await timer.async_wait(use_ec(ec));
      }
      co_await write_stream(w, stream, std::move(handled), version, keep_alive, ec);
    } else {
      const bool truncate = handled.truncate;
      const auto slow = handled.slow_headers;
      std::string res = serialize(std::move(handled), version, keep_alive, head);
      const std::size_t head_end = res.find("\r\n\r\n") + 4;
      if (truncate) res.resize(res.size() - (res.size() - head_end + 1) / 2);
      std::size_t sent = 0;
      if (slow.count() > 0) {
        // The head in eight pieces, evenly spread over `slow`.
        asio::steady_timer timer(w->ioc);
        const std::size_t piece = (head_end + 7) / 8;
        for (; sent < head_end && !ec; sent += piece) {
          timer.expires_after(slow / 8);
          co_await timer.async_wait(use_ec(ec));
          if (ec) break;
          lowest.expires_after(options.read_timeout);
          co_await asio::async_write(stream, asio::buffer(res.data() + sent, std::min(piece, head_end - sent)),
                                     use_ec(ec));
        }
        sent = std::min(sent, head_end);
      }
      if (!ec) {
        lowest.expires_after(options.read_timeout);
        co_await asio::async_write(stream, asio::buffer(res.data() + sent, res.size() - sent), use_ec(ec));
      }
      if (truncate) break;  // the client sees a body shorter than its Content-Length
    }
    if (ec || !keep_alive) break;
  }
}

// Sends the head, then every piece of the source as one HTTP chunk, each
// after its delay; a client that goes away ends the stream.
template <class Stream>
Awaitable<void> HttpServer::State::write_stream(Worker* w, Stream& stream, HttpResponse response, unsigned version,
                                                bool keep_alive, boost::system::error_code& ec) {
  beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
  std::shared_ptr<StreamSource> source = std::move(response.stream);
  std::string prefix = std::move(response.body);
  http::response<http::empty_body> head{static_cast<http::status>(response.status), version};
  head.set(http::field::server, "tollgate-mock");
  if (!response.content_type.empty()) head.set(http::field::content_type, response.content_type);
  for (auto& [k, v] : response.headers) head.insert(k, v);
  head.keep_alive(keep_alive);
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  lowest.expires_after(options.read_timeout);
  co_await http::async_write_header(stream, serializer, use_ec(ec));
  if (ec) co_return;
  if (!prefix.empty()) {
    co_await asio::async_write(stream, http::make_chunk(asio::buffer(prefix)), use_ec(ec));
    if (ec) co_return;
  }
  asio::steady_timer timer(w->ioc);
  StreamChunk chunk;
  while (source->next(chunk)) {
    if (chunk.delay.count() > 0) {
      timer.expires_after(chunk.delay);
      co_await timer.async_wait(use_ec(ec));
      if (ec) co_return;
    }
    if (chunk.abort) {
      ec = asio::error::connection_aborted;  // ends the connection without the last chunk
      co_return;
    }
    if (chunk.data.empty()) continue;
    lowest.expires_after(options.read_timeout);
    co_await asio::async_write(stream, http::make_chunk(asio::buffer(chunk.data)), use_ec(ec));
    if (ec) co_return;
  }
  lowest.expires_after(options.read_timeout);
  co_await asio::async_write(stream, http::make_chunk_last(), use_ec(ec));
}

void HttpServer::State::session_ended(Worker* w) {
  --w->sessions;
  if (stopping && w->sessions == 0 && w->drain_timer) w->drain_timer->cancel();  // drained early
}

Awaitable<void> HttpServer::State::accept_loop(Worker* w) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await w->acceptor->async_accept(use_ec(ec));
    if (ec == asio::error::operation_aborted || !w->acceptor->is_open()) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
    ++accepted;
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(w->ioc, session(w, std::move(socket)), asio::detached);
  }
}

HttpServer::HttpServer(ServerOptions options, Handler handler) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->handler = std::move(handler);
}

HttpServer::~HttpServer() {
  stop();
  wait();
}

std::uint16_t HttpServer::port() const { return state_->port; }
std::uint64_t HttpServer::connections_accepted() const { return state_->accepted.load(); }

std::uint16_t HttpServer::start() {
  State& s = *state_;
  if (!s.options.tls_cert.empty() || !s.options.tls_key.empty()) {
    s.tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    s.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    boost::system::error_code tls_ec;
    s.tls->use_certificate_chain_file(s.options.tls_cert, tls_ec);
    if (tls_ec) throw std::runtime_error("--tls-cert " + s.options.tls_cert + ": " + tls_ec.message());
    s.tls->use_private_key_file(s.options.tls_key, asio::ssl::context::pem, tls_ec);
    if (tls_ec) throw std::runtime_error("--tls-key " + s.options.tls_key + ": " + tls_ec.message());
  }
  const unsigned n = s.options.threads ? s.options.threads : std::max(1u, std::thread::hardware_concurrency());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + s.options.host + "': " + ec.message());
  std::uint16_t port = s.options.port;
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->acceptor = std::make_unique<tcp::acceptor>(w->ioc);
    const tcp::endpoint endpoint{address, port};
    w->acceptor->open(endpoint.protocol(), ec);
    if (!ec) w->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) w->acceptor->set_option(ReusePort(true), ec);
    if (!ec) w->acceptor->bind(endpoint, ec);
    if (!ec) w->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + s.options.host + ":" + std::to_string(port) + ": " +
                               ec.message());
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
  if (s.stopping.exchange(true)) return;
  for (auto& wp : s.workers) {
    Worker* w = wp.get();
    asio::post(w->ioc, [&s, w] {
      boost::system::error_code ec;
      w->acceptor->close(ec);
      for (auto* stream : w->idle) stream->socket().close(ec);
      if (w->sessions == 0) return;  // nothing in flight: the loop runs out of work now
      w->drain_timer = std::make_unique<asio::steady_timer>(w->ioc, s.options.drain_timeout);
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
