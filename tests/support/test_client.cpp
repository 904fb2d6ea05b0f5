#include "tests/support/test_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tollgate::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct TestClient::Impl {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;

  // Runs the io_context until the pending operation completes or the
  // deadline set by expires_after fires.
  void run() {
    ioc.restart();
    ioc.run();
  }
};

TestClient::TestClient(std::uint16_t port, std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>()) {
  impl_->timeout = timeout;
  impl_->stream.expires_after(timeout);
  impl_->stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

TestClient::~TestClient() = default;

void TestClient::send_raw(const std::string& bytes) {
  boost::system::error_code ec;
  impl_->stream.expires_after(impl_->timeout);
  asio::async_write(impl_->stream, asio::buffer(bytes), [&](boost::system::error_code e, std::size_t) { ec = e; });
  impl_->run();
  if (ec) throw boost::system::system_error(ec, "write");
}

ClientResponse TestClient::read_response(bool head) {
  http::response_parser<http::string_body> parser;
  parser.skip(head);  // an answer to HEAD has a length but no body
  parser.body_limit(64 * 1024 * 1024);
  boost::system::error_code ec;
  impl_->stream.expires_after(impl_->timeout);
  http::async_read(impl_->stream, impl_->buffer, parser, [&](boost::system::error_code e, std::size_t) { ec = e; });
  impl_->run();
  if (ec) throw boost::system::system_error(ec, "read");
  auto res = parser.release();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = std::move(res.body());
  out.keep_alive = res.keep_alive();
  return out;
}

ClientResponse TestClient::request(const std::string& method, const std::string& target, const std::string& body,
                                   const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() && !headers.count("Content-Type")) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  boost::system::error_code ec;
  impl_->stream.expires_after(impl_->timeout);
  http::async_write(impl_->stream, req, [&](boost::system::error_code e, std::size_t) { ec = e; });
  impl_->run();
  if (ec) throw boost::system::system_error(ec, "write");
  return read_response(method == "HEAD");
}

bool TestClient::closed_by_peer() {
  char byte;
  boost::system::error_code ec;
  impl_->stream.expires_after(impl_->timeout);
  impl_->stream.async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code e, std::size_t) { ec = e; });
  impl_->run();
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace tollgate::test
