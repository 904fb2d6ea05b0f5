// Opens N concurrent streaming chat requests against a target and holds them
// until each stream ends; prints how many were open at once and how many
// completed with [DONE]. Loopback only; bounded by --timeout.
// Usage: stream_hold PORT N PATH KEY MODEL TIMEOUT_S
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "net/coro.h"

namespace asio = boost::asio;
using asio::ip::tcp;
using tollgate::net::Awaitable;
using tollgate::net::use_ec;

struct Stats {
  int total = 0;
  boost::asio::steady_timer* deadline = nullptr;
  int connected = 0;
  int open = 0;
  int peak_open = 0;
  int done = 0;
  int failed = 0;
};

Awaitable<void> stream(tcp::endpoint ep, const std::string& request, Stats& s);

// Runs one stream, and ends the run when it was the last.
Awaitable<void> one(tcp::endpoint ep, std::string request, Stats& s) {
  co_await stream(ep, request, s);
  if (s.done + s.failed == s.total) s.deadline->cancel();
}

Awaitable<void> stream(tcp::endpoint ep, const std::string& request, Stats& s) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  boost::system::error_code ec;
  co_await socket.async_connect(ep, use_ec(ec));
  if (ec) {
    ++s.failed;
    co_return;
  }
  ++s.connected;
  co_await asio::async_write(socket, asio::buffer(request), use_ec(ec));
  if (ec) {
    ++s.failed;
    co_return;
  }
  ++s.open;
  s.peak_open = std::max(s.peak_open, s.open);
  std::string tail;
  char buf[4096];
  for (;;) {
    const std::size_t n = co_await socket.async_read_some(asio::buffer(buf), use_ec(ec));
    if (ec) break;
    tail.append(buf, n);
    if (tail.find("data: [DONE]") != std::string::npos) break;
    if (tail.size() > 64) tail.erase(0, tail.size() - 64);
  }
  --s.open;
  if (tail.find("data: [DONE]") != std::string::npos)
    ++s.done;
  else
    ++s.failed;
}

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: stream_hold PORT N PATH KEY MODEL TIMEOUT_S\n";
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::stoi(argv[1]));
  const int n = std::stoi(argv[2]);
  const std::string body = std::string(R"({"model":")") + argv[5] +
                           R"(","stream":true,"messages":[{"role":"user","content":"hold this stream"}]})";
  const std::string request = std::string("POST ") + argv[3] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              argv[4] + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::io_context ioc(1);
  Stats stats;
  stats.total = n;
  asio::steady_timer deadline(ioc, std::chrono::seconds(std::stoi(argv[6])));
  stats.deadline = &deadline;
  deadline.async_wait([&](auto) { ioc.stop(); });
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  for (int i = 0; i < n; ++i) asio::co_spawn(ioc, one(ep, request, stats), asio::detached);
  const auto start = std::chrono::steady_clock::now();
  ioc.run();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "streams=" << n << " connected=" << stats.connected << " peak_open=" << stats.peak_open
            << " done=" << stats.done << " failed=" << stats.failed << " seconds=" << secs << "\n";
  return stats.done == n ? 0 : 1;
}
