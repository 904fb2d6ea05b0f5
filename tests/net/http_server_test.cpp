#include "net/http_server.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/test_client.h"

namespace tollgate::net {
namespace {

using test::TestClient;

HttpResponse echo(const HttpRequest& r) {
  return HttpResponse::text(200, r.method + " " + r.target + " " + std::to_string(r.body.size()));
}

ServerOptions small_options() {
  ServerOptions o;
  o.threads = 2;
  o.body_limit = 1024;
  o.header_limit = 1024;
  o.read_timeout = std::chrono::milliseconds(300);
  return o;
}

TEST(HttpServer, BindsAnEphemeralPortAndKeepsConnectionsAlive) {
  HttpServer server(small_options(), echo);
  const auto port = server.start();
  ASSERT_NE(port, 0);
  TestClient client(port);
  for (int i = 0; i < 5; ++i) {
    const auto res = client.request("GET", "/n/" + std::to_string(i));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "GET /n/" + std::to_string(i) + " 0");
    EXPECT_TRUE(res.keep_alive);
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  HttpServer server(small_options(), echo);
  TestClient client(server.start());
  client.send_raw(
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /third HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read_response().body, "GET /first 0");
  EXPECT_EQ(client.read_response().body, "POST /second 3");
  EXPECT_EQ(client.read_response().body, "GET /third 0");
}

TEST(HttpServer, OversizeBodyGets413AndTheConnectionCloses) {
  HttpServer server(small_options(), echo);
  TestClient client(server.start());
  const auto res = client.request("POST", "/big", std::string(2048, 'x'));
  EXPECT_EQ(res.status, 413);
  EXPECT_NE(res.body.find("larger than 1024 bytes"), std::string::npos);
  EXPECT_FALSE(res.keep_alive);
}

TEST(HttpServer, OversizeHeadersGet431) {
  HttpServer server(small_options(), echo);
  TestClient client(server.start());
  const auto res = client.request("GET", "/", "", {{"X-Big", std::string(4096, 'h')}});
  EXPECT_EQ(res.status, 431);
}

TEST(HttpServer, GarbageGets400) {
  HttpServer server(small_options(), echo);
  TestClient client(server.start());
  client.send_raw("THIS IS NOT HTTP\r\n\r\n");
  const auto res = client.read_response();
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("malformed HTTP request"), std::string::npos);
  EXPECT_TRUE(client.closed_by_peer());
}

TEST(HttpServer, AnAbsoluteFormTargetIsServedAsItsPath) {
  HttpServer server(small_options(), echo);
  TestClient client(server.start());
  client.send_raw("GET http://127.0.0.1:1/healthz?x=1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n"
                  "GET HTTP://example.test HTTP/1.1\r\nHost: example.test\r\n\r\n");
  EXPECT_EQ(client.read_response().body, "GET /healthz?x=1 0");
  EXPECT_EQ(client.read_response().body, "GET / 0");
}

TEST(HttpServer, AnHttp11RequestWithoutHostIs400) {
  HttpServer server(small_options(), echo);
  const auto port = server.start();
  TestClient client(port);
  client.send_raw("GET /healthz HTTP/1.1\r\n\r\n");
  const auto res = client.read_response();
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("must carry a Host header"), std::string::npos) << res.body;
  TestClient old(port);
  old.send_raw("GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.read_response().status, 200) << "HTTP/1.0 has no Host requirement";
}

TEST(HttpServer, SlowLorisIsCutOffByTheReadDeadline) {
  HttpServer server(small_options(), echo);
  TestClient client(server.start(), std::chrono::seconds(10));
  // Headers that never end: the server must give up after read_timeout
  // (300 ms) although the client keeps the connection open.
  client.send_raw("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  EXPECT_TRUE(client.closed_by_peer());
  // The worker is free again.
  TestClient other(server.port());
  EXPECT_EQ(other.request("GET", "/after").status, 200);
}

TEST(HttpServer, HandlerExceptionsBecome500) {
  HttpServer server(small_options(), [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  TestClient client(server.start());
  const auto res = client.request("GET", "/");
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("boom"), std::string::npos);
  EXPECT_EQ(client.request("GET", "/again").status, 500);  // the connection survives
}

TEST(HttpServer, StopClosesIdleConnections) {
  HttpServer server(small_options(), echo);
  TestClient client(server.start());
  EXPECT_EQ(client.request("GET", "/").status, 200);
  server.stop();
  server.wait();
  EXPECT_TRUE(client.closed_by_peer());
}

TEST(HttpServer, StopLetsAnInFlightRequestFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  HttpServer server(small_options(), [&](const HttpRequest& r) {
    if (r.path == "/slow") {
      entered.set_value();
      released.wait();
    }
    return echo(r);
  });
  const auto port = server.start();
  auto response = std::async(std::launch::async, [port] { return TestClient(port).request("GET", "/slow"); });
  entered.get_future().wait();
  server.stop();  // while /slow is being handled
  release.set_value();
  const auto res = response.get();
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(res.keep_alive);  // draining: the connection closes after the answer
  server.wait();
}

}  // namespace
}  // namespace tollgate::net
