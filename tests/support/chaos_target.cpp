#include "tests/support/chaos_target.h"

#include <chrono>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace tollgate::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

struct ChaosTarget::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
};

namespace {

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(use_awaitable);
}

awaitable<void> send(tcp::socket& s, const std::string& bytes) { co_await asio::async_write(s, asio::buffer(bytes), use_awaitable); }

// Holds the connection open, answering nothing, until the target stops.
awaitable<void> hold() {
  for (;;) co_await pause(std::chrono::hours(1));
}

// One request's misbehaviour; false when the connection is done with.
awaitable<bool> answer(tcp::socket& s, const std::string& path) {
  if (path == "/ok") co_await send(s, kOk);
  else if (path == "/hang") co_await hold();
  else if (path == "/head-hang") {
    co_await send(s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    co_await hold();
  } else if (path == "/trickle") {
    for (char c : kOk) {
      co_await send(s, std::string(1, c));
      co_await pause(std::chrono::milliseconds(100));
    }
  } else if (path == "/endless") {
    co_await send(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    for (;;) co_await send(s, chunk);
  } else if (path == "/latin1") {
    const std::string body = "caf\xE9 indisponible \xFF!";
    co_await send(s, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body);
  } else if (path == "/sse-ff") {
    const std::string body = "data: {\"choices\":[{\"delta\":{\"content\":\"\xFF\"}}]}\n\ndata: [DONE]\n\n";
    co_await send(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\n\r\n" + body);
  } else if (path == "/long-utf8") {
    std::string body;
    while (body.size() < 4096) body += "Khóa API không hợp lệ. ";
    co_await send(s, "HTTP/1.1 400 Bad Request\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  } else if (path == "/status-000") co_await send(s, "HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n");
  else if (path == "/status-700") co_await send(s, "HTTP/1.1 700 Beyond\r\nContent-Length: 0\r\n\r\n");
  else if (path == "/interim") co_await send(s, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + kOk);
  else if (path == "/switching") co_await send(s, "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n\r\n");
  else if (path == "/garbage") co_await send(s, "NOT HTTP AT ALL\r\n\r\n");
  else if (path == "/close") co_return false;
  else if (path == "/reset") {
    s.set_option(asio::socket_base::linger(true, 0));
    co_return false;
  } else if (path == "/after-garbage") co_await send(s, kOk + "GARBAGE\r\n\r\n");
  else if (path == "/short-body") {
    co_await send(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    co_return false;
  } else if (path == "/bad-chunk") co_await send(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n");
  else if (path == "/endless-head") {
    co_await send(s, "HTTP/1.1 200 OK\r\n");
    const std::string line = "X-Filler: " + std::string(1000, 'h') + "\r\n";
    for (;;) co_await send(s, line);
  } else if (path == "/sse-endless-event") {  // one event that never ends
    co_await send(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: ");
    const std::string more(0x10000, 'x');
    for (;;) co_await send(s, more);
  } else if (path == "/sse-endless") {  // small events, forever
    co_await send(s, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n");
    std::string events;
    while (events.size() < 0x10000) events += "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n";
    for (;;) co_await send(s, events);
  }
  else co_await send(s, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  co_return true;
}

awaitable<void> serve(tcp::socket s) {
  try {
    std::string buffer;
    for (;;) {
      const std::size_t n = co_await asio::async_read_until(s, asio::dynamic_buffer(buffer, 64 * 1024), "\r\n\r\n", use_awaitable);
      const std::string head = buffer.substr(0, n);
      buffer.erase(0, n);
      const auto sp = head.find(' ');
      const auto sp2 = head.find(' ', sp + 1);
      if (!co_await answer(s, head.substr(sp + 1, sp2 - sp - 1))) break;
    }
  } catch (const std::exception&) {
    // the client went away, or the target is stopping
  }
  boost::system::error_code ec;
  s.close(ec);
}

awaitable<void> accept_all(tcp::acceptor& acceptor, std::atomic<int>& connections) {
  for (;;) {
    tcp::socket s = co_await acceptor.async_accept(use_awaitable);
    ++connections;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(s)), asio::detached);
  }
}

}  // namespace

ChaosTarget::ChaosTarget() : impl_(std::make_unique<Impl>()) {
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, accept_all(impl_->acceptor, connections_), asio::detached);
  thread_ = std::thread([this] { impl_->ioc.run(); });
}

ChaosTarget::~ChaosTarget() {
  impl_->ioc.stop();
  thread_.join();
}

}  // namespace tollgate::test
