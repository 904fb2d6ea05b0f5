#include "net/client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "net/coro.h"

namespace tollgate::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string describe(const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) return "timed out after " + std::to_string(timeout.count()) + " ms";
  return ec.message();
}

Awaitable<void> exchange(asio::io_context& ioc, const ClientRequest& in, ClientResponse& out) {
  boost::system::error_code ec;
  beast::tcp_stream stream(ioc);
  stream.expires_after(in.timeout);
  tcp::resolver resolver(ioc);
  // The resolver is not covered by the stream's deadline: bound it too.
  asio::steady_timer guard(ioc, in.timeout);
  guard.async_wait([&](const boost::system::error_code& e) {
    if (!e) resolver.cancel();
  });
  const auto found = co_await resolver.async_resolve(in.host, in.port, use_ec(ec));
  guard.cancel();
  if (ec) {
    out.error = ec == asio::error::operation_aborted ? describe(beast::error::timeout, in.timeout)
                                                     : "cannot resolve " + in.host + ": " + ec.message();
    co_return;
  }
  if (in.loopback_only)
    for (const auto& r : found)
      if (!r.endpoint().address().is_loopback()) {
        out.error = "host " + in.host + " resolved to a non-loopback address";
        co_return;
      }
  co_await stream.async_connect(found, use_ec(ec));
  if (ec) {
    out.error = describe(ec, in.timeout);
    co_return;
  }
  http::request<http::string_body> req{http::string_to_verb(in.method), in.target, 11};
  const bool v6 = in.host.find(':') != std::string::npos;
  req.set(http::field::host, (v6 ? "[" + in.host + "]" : in.host) + ":" + in.port);
  req.set(http::field::user_agent, "tollgate");
  for (const auto& [k, v] : in.headers) req.set(k, v);
  req.body() = in.body;
  req.prepare_payload();
  co_await http::async_write(stream, req, use_ec(ec));
  if (ec) {
    out.error = describe(ec, in.timeout);
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(in.max_body);
  // The head first: Beast 1.74's eager read (async_read) loses the
  // body_limit error that a too-large Content-Length raises with the head.
  co_await http::async_read_header(stream, buffer, parser, use_ec(ec));
  if (!ec) co_await http::async_read(stream, buffer, parser, use_ec(ec));
  if (ec) {
    out.error = ec == http::error::body_limit
                    ? "the answer's body is over the " + std::to_string(in.max_body) + "-byte limit"
                    : describe(ec, in.timeout);
    co_return;
  }
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace

ClientResponse fetch(const ClientRequest& request) {
  asio::io_context ioc;
  ClientResponse out;
  asio::co_spawn(ioc, exchange(ioc, request, out), [&](std::exception_ptr e) {
    if (e && out.error.empty()) out.error = "internal error";
  });
  ioc.run();
  return out;
}

}  // namespace tollgate::net
