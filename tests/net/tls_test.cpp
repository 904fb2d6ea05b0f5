#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "net/http_server.h"
#include "tests/support/test_client.h"
#include "tests/support/tls_cert.h"

namespace tollgate::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// One HTTPS GET; verification against `ca_file` (or none when empty).
std::pair<int, std::string> https_get(std::uint16_t port, const std::string& ca_file, const std::string& target) {
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  if (!ca_file.empty()) {
    ctx.load_verify_file(ca_file);
    ctx.set_verify_mode(asio::ssl::verify_peer);
  }
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(stream).connect({asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(asio::ssl::stream_base::client);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "localhost");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {res.result_int(), res.body()};
}

TEST(Tls, ServesHttpsWithTheGivenCertificate) {
  test::SelfSignedCert cert;
  ServerOptions o;
  o.threads = 1;
  o.tls_cert = cert.cert_file();
  o.tls_key = cert.key_file();
  HttpServer server(o, [](const HttpRequest& r) { return HttpResponse::text(200, "secure " + r.path); });
  const auto port = server.start();
  const auto [status, body] = https_get(port, cert.cert_file(), "/hello");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "secure /hello");
  // A plain-HTTP client gets no answer, and the server stays up.
  test::TestClient plain(port);
  plain.send_raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THROW(plain.read_response(), std::exception);
  EXPECT_EQ(https_get(port, cert.cert_file(), "/again").first, 200);
}

TEST(Tls, MissingKeyFileIsAClearError) {
  ServerOptions o;
  o.tls_cert = "/nonexistent/cert.pem";
  o.tls_key = "/nonexistent/key.pem";
  HttpServer server(o, [](const HttpRequest&) { return HttpResponse::text(200, ""); });
  try {
    server.start();
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--tls-cert /nonexistent/cert.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tollgate::net
