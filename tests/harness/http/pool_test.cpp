#include "harness/http/pool.h"

#include <future>

#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/http_server.h"
#include "tests/support/raw_server.h"
#include "tests/support/tls_cert.h"

namespace tollgate::http {
namespace {

namespace asio = boost::asio;
using metrics::ErrorKind;
using namespace std::chrono;

PoolOptions options_for(std::uint16_t port, bool tls = false) {
  PoolOptions o;
  std::string error;
  o.target = *scenario::parse_url(std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port), error);
  o.timeouts.connect = seconds(2);
  o.timeouts.tls = seconds(2);
  o.timeouts.first_byte = milliseconds(300);
  o.timeouts.total = seconds(2);
  o.max_connections = 4;
  return o;
}

Request get(const std::string& target = "/") { return {"GET", target, {}, "", ""}; }

// Sends `n` requests concurrently through one pool and returns the answers.
std::vector<check::Response> send_all(ConnectionPool& pool, asio::io_context& ioc, const Request& r, int n) {
  std::vector<check::Response> out(static_cast<std::size_t>(n));
  std::vector<std::future<void>> futures;
  for (auto& res : out) futures.push_back(asio::co_spawn(ioc, pool.send(r, res), asio::use_future));
  ioc.restart();
  ioc.run();
  for (auto& f : futures) f.get();
  return out;
}

TEST(Pool, KeepAliveReusesAtMostPoolSizeConnections) {
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest& r) { return net::HttpResponse::text(200, "ok " + r.path); });
  const auto port = server.start();
  asio::io_context ioc;
  ConnectionPool pool(ioc, options_for(port));
  for (int round = 0; round < 5; ++round)
    for (const auto& r : send_all(pool, ioc, get("/x"), 10)) {
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.body, "ok /x");
      EXPECT_EQ(r.error, ErrorKind::kNone);
    }
  EXPECT_EQ(pool.connections_opened(), 4u);  // 50 requests, 4 connections: the pool size
  EXPECT_EQ(server.connections_accepted(), 4u);
}

// Many connections opened at once by name resolve it once each, and the
// pool keeps one list of its addresses: every connect copies it, so a list
// that grew with each resolve cost memory by the square of the
// connections (10,000 streams held 1.5 GB).
TEST(Pool, ConnectionsOpenedAtOnceShareOneListOfAddresses) {
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest&) { return net::HttpResponse::text(200, "ok"); });
  const auto port = server.start();
  asio::io_context ioc;
  PoolOptions o = options_for(port);
  std::string error;
  o.target = *scenario::parse_url("http://localhost:" + std::to_string(port), error);
  o.max_connections = 40;
  ConnectionPool pool(ioc, o);
  EXPECT_EQ(pool.endpoints(), 0u) << "a name is resolved when the first connection needs it";
  for (const auto& r : send_all(pool, ioc, get("/"), 40)) EXPECT_EQ(r.status, 200) << r.error_message;
  EXPECT_EQ(pool.connections_opened(), 40u);
  EXPECT_GE(pool.endpoints(), 1u);
  EXPECT_LE(pool.endpoints(), 4u) << "localhost's addresses, not one copy per connection";
  ConnectionPool numeric(ioc, options_for(port));
  EXPECT_EQ(numeric.endpoints(), 1u) << "127.0.0.1 needs no resolver";
}

TEST(Pool, ConnectionRefusedIsConnect) {
  std::uint16_t port;
  {
    asio::io_context tmp;
    asio::ip::tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nobody listens there now
  asio::io_context ioc;
  ConnectionPool pool(ioc, options_for(port));
  const auto r = send_all(pool, ioc, get(), 1).front();
  EXPECT_EQ(r.error, ErrorKind::kConnect);
  EXPECT_NE(r.error_message.find("connect to 127.0.0.1"), std::string::npos) << r.error_message;
}

TEST(Pool, FirstByteTimeout) {
  test::RawServer silent(test::RawServer::silent());
  asio::io_context ioc;
  ConnectionPool pool(ioc, options_for(silent.port()));
  const auto r = send_all(pool, ioc, get(), 1).front();
  EXPECT_EQ(r.error, ErrorKind::kTimeout);
  EXPECT_NE(r.error_message.find("timed out"), std::string::npos);
}

TEST(Pool, TotalTimeoutOnASlowBody) {
  test::RawServer slow([](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    asio::write(s, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst bytes")));
    char c;
    boost::system::error_code ec;
    s.read_some(asio::buffer(&c, 1), ec);  // the rest never comes
  });
  asio::io_context ioc;
  auto o = options_for(slow.port());
  o.timeouts.first_byte = seconds(2);
  o.timeouts.total = milliseconds(400);
  ConnectionPool pool(ioc, o);
  const auto r = send_all(pool, ioc, get(), 1).front();
  EXPECT_EQ(r.error, ErrorKind::kTimeout);
}

TEST(Pool, TruncatedBodyIsProtocolAndResetIsReset) {
  test::RawServer truncating([](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    asio::write(s, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")));
    s.close();
  });
  asio::io_context ioc;
  ConnectionPool pool(ioc, options_for(truncating.port()));
  EXPECT_EQ(send_all(pool, ioc, get(), 1).front().error, ErrorKind::kProtocol);

  test::RawServer closing([](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    s.set_option(asio::socket_base::linger(true, 0));  // RST
    s.close();
  });
  asio::io_context ioc2;
  ConnectionPool pool2(ioc2, options_for(closing.port()));
  EXPECT_EQ(send_all(pool2, ioc2, get(), 1).front().error, ErrorKind::kReset);

  test::RawServer garbage([](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    asio::write(s, asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
    s.close();
  });
  asio::io_context ioc3;
  ConnectionPool pool3(ioc3, options_for(garbage.port()));
  EXPECT_EQ(send_all(pool3, ioc3, get(), 1).front().error, ErrorKind::kProtocol);
}

TEST(Pool, OversizeBodyIsBounded) {
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest&) { return net::HttpResponse::text(200, std::string(5000, 'x')); });
  asio::io_context ioc;
  auto o = options_for(server.start());
  o.max_body = 1000;
  ConnectionPool pool(ioc, o);
  EXPECT_EQ(send_all(pool, ioc, get(), 1).front().error, ErrorKind::kProtocol);
}

TEST(Pool, TlsIsVerifiedByDefaultAndTrustedWithTheCaFile) {
  test::SelfSignedCert cert;
  net::ServerOptions so;
  so.threads = 1;
  so.tls_cert = cert.cert_file();
  so.tls_key = cert.key_file();
  net::HttpServer server(so, [](const net::HttpRequest&) { return net::HttpResponse::text(200, "secure"); });
  const auto port = server.start();
  {
    asio::io_context ioc;
    ConnectionPool pool(ioc, options_for(port, true));
    const auto r = send_all(pool, ioc, get(), 1).front();
    EXPECT_EQ(r.error, ErrorKind::kTls) << r.error_message;  // self-signed: rejected by default
  }
  {
    asio::io_context ioc;
    auto o = options_for(port, true);
    o.tls.ca_file = cert.cert_file();
    ConnectionPool pool(ioc, o);
    const auto r = send_all(pool, ioc, get(), 1).front();
    EXPECT_EQ(r.error, ErrorKind::kNone) << r.error_message;
    EXPECT_EQ(r.body, "secure");
  }
  {
    asio::io_context ioc;
    auto o = options_for(port, true);
    o.tls.ca_file = cert.cert_file();
    o.tls.server_name = "example.invalid";  // the certificate does not name it
    ConnectionPool pool(ioc, o);
    EXPECT_EQ(send_all(pool, ioc, get(), 1).front().error, ErrorKind::kTls);
  }
  {
    asio::io_context ioc;
    auto o = options_for(port, true);
    o.tls.insecure = true;
    ConnectionPool pool(ioc, o);
    EXPECT_EQ(send_all(pool, ioc, get(), 1).front().error, ErrorKind::kNone);
  }
}

TEST(Pool, TlsHandshakeTimeout) {
  test::RawServer mute([](asio::ip::tcp::socket& s) {
    char buf[512];
    boost::system::error_code ec;
    while (!ec) s.read_some(asio::buffer(buf), ec);  // takes the ClientHello, never answers, until the client leaves
  });
  asio::io_context ioc;
  auto o = options_for(mute.port(), true);
  o.timeouts.tls = milliseconds(300);
  ConnectionPool pool(ioc, o);
  const auto r = send_all(pool, ioc, get(), 1).front();
  EXPECT_EQ(r.error, ErrorKind::kTimeout);
  EXPECT_NE(r.error_message.find("TLS handshake"), std::string::npos);
}

}  // namespace
}  // namespace tollgate::http
