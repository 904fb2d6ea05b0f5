#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/fake_clock.h"
#include "contract/contract.h"
#include "contract/lint.h"
#include "net/http_server.h"
#include "mock-server/server/mock_app.h"
#include "tests/support/paths.h"
#include "tests/support/test_client.h"

namespace tollgate::test {

/// The whole mock in-process on 127.0.0.1:0 with a fake clock, and the
/// contracts to check its answers against.
class MockServer {
 public:
  explicit MockServer(const std::filesystem::path& fixture = default_fixture(),
                      mock::LatencyMode latency = mock::LatencyMode::kFast,
                      const std::function<void(mock::MockOptions&)>& tweak = {})
      : app_(make_options(fixture, latency, tweak), clock_),
        server_(options(), [this](const net::HttpRequest& r) { return app_.handle(r); }) {
    port_ = server_.start();
  }

  std::uint16_t port() const { return port_; }
  FakeClock& clock() { return clock_; }
  mock::MockContext& context() { return app_.context(); }
  mock::MockApp& app() { return app_; }
  net::HttpServer& server() { return server_; }

  /// One request on a fresh connection. 30 s at most: a megabyte answer
  /// under the sanitizers on a busy machine takes more than TestClient's 5 s.
  ClientResponse call(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                      std::map<std::string, std::string> headers = {}) {
    TestClient client(port_, std::chrono::seconds(30));
    return client.request(method, target, body.is_null() ? "" : body.dump(), headers);
  }

  /// One request answered in-process (no socket), as from `remote`.
  net::HttpResponse local(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                          const std::map<std::string, std::string>& headers = {},
                          const std::string& remote = "127.0.0.1") {
    net::HttpRequest r;
    r.method = method;
    r.target = target;
    r.path = target.substr(0, target.find('?'));
    if (target.find('?') != std::string::npos) r.query = target.substr(target.find('?') + 1);
    for (const auto& h : headers) r.headers.emplace_back(h);
    r.body = body.is_null() ? "" : body.dump();
    r.remote_address = remote;
    return app_.handle(r);
  }

  /// Checks a response against the family's contract: documented status,
  /// content type, required headers, body schema; for event streams every
  /// chunk and the terminator. Returns the violations as text.
  std::vector<std::string> violations(const std::string& family, const std::string& method,
                                      const std::string& target, const ClientResponse& res);

 private:
  mock::MockOptions make_options(const std::filesystem::path& fixture, mock::LatencyMode latency,
                                 const std::function<void(mock::MockOptions&)>& tweak) {
    mock::MockOptions o;
    o.spec_dir = spec_dir();
    o.fixture = fixture;
    o.latency = latency;
    o.advance_clock = [this](std::chrono::milliseconds d) { clock_.advance(d); };
    o.log = [](const std::string&) {};
    if (tweak) tweak(o);
    return o;
  }
  static net::ServerOptions options() {
    net::ServerOptions o;
    o.threads = 2;
    o.protocol_error = mock::MockApp::protocol_error;
    return o;
  }

  FakeClock clock_{1'767'225'600'000};  // 2026-01-01T00:00:00Z
  mock::MockApp app_;
  net::HttpServer server_;
  std::uint16_t port_ = 0;
};

/// Asserts that `res` conforms to the contract of `family`.
#define EXPECT_CONFORMS(mock, family, method, target, res)                              \
  do {                                                                                   \
    for (const auto& v : (mock).violations(family, method, target, res))               \
      ADD_FAILURE() << method << " " << target << " -> " << (res).status << ": " << v; \
  } while (0)

}  // namespace tollgate::test
