#include "net/client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/http_server.h"
#include "tests/support/raw_server.h"

namespace tollgate::net {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

ClientRequest to(std::uint16_t port, std::string target = "/") {
  ClientRequest r;
  r.host = "127.0.0.1";
  r.port = std::to_string(port);
  r.target = std::move(target);
  return r;
}

// A port nothing listens on: bound, then let go.
std::uint16_t closed_port() {
  asio::io_context ioc;
  asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

TEST(Fetch, SendsMethodHeadersAndBodyAndReadsTheAnswer) {
  ServerOptions options;
  options.threads = 1;
  HttpServer server(options, [](const HttpRequest& r) {
    HttpResponse res = HttpResponse::text(201, r.method + " " + r.target + " " + std::string(r.header("X-Probe")) + " " +
                                                   std::string(r.header("Host")) + " " + r.body);
    res.headers.emplace_back("X-Answer", "yes");
    return res;
  });
  ClientRequest req = to(server.start(), "/hook?n=1");
  req.method = "POST";
  req.headers.emplace_back("X-Probe", "42");
  req.body = "payload";
  const ClientResponse res = fetch(req);
  EXPECT_EQ(res.error, "");
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, "POST /hook?n=1 42 127.0.0.1:" + req.port + " payload");
  const std::string* answer = find_header(res.headers, "x-answer");
  ASSERT_NE(answer, nullptr);
  EXPECT_EQ(*answer, "yes");
}

TEST(Fetch, KeepsBodyBytesAsBytes) {
  const std::string bytes("\xff\xfe\x00\x80 not utf-8", 15);
  test::RawServer raw([&](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    asio::write(s, asio::buffer("HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\n" + bytes));
  });
  const ClientResponse res = fetch(to(raw.port()));
  EXPECT_EQ(res.error, "");
  EXPECT_EQ(res.body, bytes);
}

TEST(Fetch, RefusedConnectionIsAnErrorNotAStatus) {
  const ClientResponse res = fetch(to(closed_port()));
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error.find("refused"), std::string::npos) << res.error;
}

TEST(Fetch, ASilentServerTimesOutWithinTheDeadline) {
  test::RawServer silent(test::RawServer::silent());
  ClientRequest req = to(silent.port());
  req.timeout = milliseconds(200);
  const ClientResponse res = fetch(req);
  EXPECT_EQ(res.status, 0);
  EXPECT_EQ(res.error, "timed out after 200 ms");
}

TEST(Fetch, ABodyOverTheLimitIsRefused) {
  // Content-Length over the limit: refused from the head, nothing buffered.
  test::RawServer big([](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    asio::write(s, asio::buffer("HTTP/1.1 200 OK\r\nContent-Length: 2048\r\n\r\n" + std::string(2048, 'x')));
  });
  ClientRequest req = to(big.port());
  req.max_body = 1024;
  const ClientResponse res = fetch(req);
  EXPECT_EQ(res.status, 0);
  EXPECT_EQ(res.error, "the answer's body is over the 1024-byte limit");
  EXPECT_TRUE(res.body.empty());
}

TEST(Fetch, AChunkedBodyOverTheLimitIsRefused) {
  test::RawServer big([](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    asio::write(s, asio::buffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(2048, 'x') +
                                "\r\n0\r\n\r\n"));
  });
  ClientRequest req = to(big.port());
  req.max_body = 1024;
  const ClientResponse res = fetch(req);
  EXPECT_EQ(res.status, 0);
  EXPECT_EQ(res.error, "the answer's body is over the 1024-byte limit");
}

TEST(Fetch, LoopbackOnlyRefusesOtherAddressesBeforeConnecting) {
  ClientRequest req = to(9);
  req.host = "192.0.2.1";  // TEST-NET-1: refused before any packet is sent
  req.loopback_only = true;
  const ClientResponse res = fetch(req);
  EXPECT_EQ(res.status, 0);
  EXPECT_EQ(res.error, "host 192.0.2.1 resolved to a non-loopback address");
}

TEST(Fetch, AGarbledAnswerIsAnError) {
  test::RawServer garbage([](asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    asio::write(s, asio::buffer(std::string("SMTP ready\r\n\r\n")));
  });
  const ClientResponse res = fetch(to(garbage.port()));
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error, "");
}

}  // namespace
}  // namespace tollgate::net
