// A target that stalls: every 5 s it answers nothing for 1 s (requests that
// arrive in the stall are answered when it ends), otherwise at once. Used by
// bench/harness_vs_wrk.sh to show coordinated omission. Loopback only.
// Usage: stall_target   (prints "listening on http://127.0.0.1:PORT")
#include <csignal>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "net/http_server.h"

int main() {
  using namespace std::chrono;
  const auto start = steady_clock::now();
  tollgate::net::ServerOptions options;
  options.threads = 1;
  tollgate::net::HttpServer server(options, [start](const tollgate::net::HttpRequest&) {
    auto r = tollgate::net::HttpResponse::text(200, "{\"ok\":true}", "application/json");
    const auto in_cycle = (steady_clock::now() - start) % seconds(5);
    if (in_cycle >= seconds(4)) r.delay = duration_cast<microseconds>(seconds(5) - in_cycle);  // the stall
    return r;
  });
  std::cout << "listening on http://127.0.0.1:" << server.start() << std::endl;
  boost::asio::io_context ioc;
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { server.stop(); });
  ioc.run();
  server.wait();
}
