// Fault injection, every kind, per request (X-Tollgate-Fault) and from the
// profile.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include "common/source_error.h"
#include "mock-server/faults/faults.h"
#include "mock-server/model/fixture.h"
#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

const json kChat = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "hello there"}}}}};

/// Sends `request` raw and reads until the server closes; `reset` tells
/// whether it closed with a TCP reset.
std::string exchange(std::uint16_t port, const std::string& request, bool& reset) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket s(ioc);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(s, boost::asio::buffer(request));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    const std::size_t n = s.read_some(boost::asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  reset = ec == boost::asio::error::connection_reset;
  return out;
}

std::string post(const std::string& path, const json& body, const std::string& fault) {
  const std::string b = body.dump();
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer sk-demo\r\nContent-Type: application/json\r\n" +
         (fault.empty() ? "" : "X-Tollgate-Fault: " + fault + "\r\n") + "Content-Length: " + std::to_string(b.size()) +
         "\r\n\r\n" + b;
}

class Faults : public ::testing::Test {
 protected:
  net::HttpResponse local(const std::string& method, const std::string& path, const json& body = nullptr,
                           const Headers& headers = {}) {
    return mock_.local(method, path, body, headers);
  }
  MockServer mock_;
};

TEST(FaultHeader, ParsesEveryKindAndNamesWhatIsWrong) {
  mock::FaultAction a;
  ASSERT_EQ(mock::parse_fault_header("status=503; delay=250ms;reset; truncate; stream-cut=3; stream-error=2; "
                                     "slow-headers=2s; fail-sources=official, fal-ai",
                                     a),
            "");
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.delay, std::chrono::milliseconds(250));
  EXPECT_TRUE(a.reset);
  EXPECT_TRUE(a.truncate);
  EXPECT_EQ(a.stream_cut, 3);
  EXPECT_EQ(a.stream_error, 2);
  EXPECT_EQ(a.slow_headers, std::chrono::seconds(2));
  EXPECT_EQ(a.fail_sources, (std::set<std::string>{"official", "fal-ai"}));
  for (const char* bad : {"status=200", "status=5xx", "delay=fast", "delay=9999s", "explode", "stream-cut=-1",
                          "fail-sources=", "reset=1"}) {
    mock::FaultAction x;
    const std::string error = mock::parse_fault_header(bad, x);
    EXPECT_NE(error.find(std::string("'") + bad + "'"), std::string::npos) << bad << ": " << error;
  }
}

TEST_F(Faults, StatusDelayAndSlowHeadersPerRequest) {
  // A status in the family's own error shape.
  auto r = local("POST", "/aiproxy/v1/chat/completions", kChat, {{"X-Tollgate-Fault", "status=503"}});
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(json::parse(r.body).contains("error"));
  r = local("POST", "/apixo/api/v1/generateTask/gpt-image-1", {{"input", {{"prompt", "x"}}}},
            {{"X-Tollgate-Fault", "status=429"}});
  EXPECT_EQ(json::parse(r.body)["code"], 429);
  // Latency on top of the model's own.
  const auto plain = local("POST", "/aiproxy/v1/chat/completions", kChat, {{"Authorization", "Bearer sk-demo"}});
  r = local("POST", "/aiproxy/v1/chat/completions", kChat,
            {{"Authorization", "Bearer sk-demo"}, {"X-Tollgate-Fault", "delay=250ms; slow-headers=2s"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.delay - plain.delay, std::chrono::milliseconds(250));
  EXPECT_EQ(r.slow_headers, std::chrono::seconds(2));
  r = local("GET", "/aiproxy/v1/models", nullptr, {{"X-Tollgate-Fault", "slow-down"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown fault"), std::string::npos);
}

TEST_F(Faults, SlowHeadersStillDeliverTheWholeAnswer) {
  bool reset = false;
  const std::string out = exchange(
      mock_.port(),
      "GET /aiproxy/v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer sk-demo\r\n"
      "X-Tollgate-Fault: slow-headers=80ms\r\n\r\n",
      reset);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n")) << out.substr(0, 100);
  EXPECT_NE(out.find("\"object\":\"list\""), std::string::npos);
}

TEST_F(Faults, ResetAndTruncateOnTheWire) {
  bool reset = false;
  std::string out = exchange(mock_.port(), post("/aiproxy/v1/chat/completions", kChat, "reset"), reset);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(reset) << "an abortive close";
  out = exchange(mock_.port(), post("/aiproxy/v1/chat/completions", kChat, "truncate"), reset);
  ASSERT_TRUE(out.starts_with("HTTP/1.1 200")) << out;
  const auto head_end = out.find("\r\n\r\n") + 4;
  const auto at = out.find("Content-Length: ") + 16;
  const std::size_t declared = std::stoul(out.substr(at, out.find("\r\n", at) - at));
  EXPECT_LT(out.size() - head_end, declared) << "fewer bytes than Content-Length, then the close";
  EXPECT_GT(out.size() - head_end, 0u);
}

TEST_F(Faults, StreamsCutBeforeDoneOrEndWithAnErrorEvent) {
  json stream = kChat;
  stream["stream"] = true;
  bool reset = false;
  std::string out = exchange(mock_.port(), post("/aiproxy/v1/chat/completions", stream, "stream-cut=2"), reset);
  std::size_t events = 0;
  for (auto at = out.find("data: {"); at != std::string::npos; at = out.find("data: {", at + 1)) ++events;
  EXPECT_EQ(events, 2u) << out;
  EXPECT_EQ(out.find("[DONE]"), std::string::npos);
  EXPECT_EQ(out.find("\r\n0\r\n\r\n"), std::string::npos) << "no end of the chunked body";

  out = exchange(mock_.port(), post("/aiproxy/v1/chat/completions", stream, "stream-error=1"), reset);
  EXPECT_NE(out.find("data: {\"error\""), std::string::npos) << out;
  EXPECT_EQ(out.find("[DONE]"), std::string::npos);
  EXPECT_NE(out.find("\r\n0\r\n\r\n"), std::string::npos) << "the stream ends properly after the error";
}

TEST_F(Faults, TheProfileMatchesFamilyRouteModelAndRate) {
  auto put = [&](const json& rules) { return local("PUT", "/_mock/faults", rules); };
  ASSERT_EQ(put(json::array({{{"family", "aiproxy"}, {"route", "/v1/chat"}, {"status", 502}}})).status, 200);
  const Headers auth = {{"Authorization", "Bearer sk-demo"}};
  EXPECT_EQ(local("POST", "/aiproxy/v1/chat/completions", kChat, auth).status, 502);
  EXPECT_EQ(local("GET", "/aiproxy/v1/models", nullptr, auth).status, 200) << "another route";
  EXPECT_NE(local("POST", "/aimichat/v1/chat/completions", kChat, {{"Authorization", "Bearer aimichat_demo"}}).status,
            502)
      << "another family";
  // Per model, at a rate: a seeded draw, so about half and reproducible.
  ASSERT_EQ(put(json::array({{{"model", "gpt-4o-mini"}, {"rate", 0.5}, {"status", 500}}})).status, 200);
  int failed = 0;
  for (int i = 0; i < 200; ++i) failed += local("POST", "/aiproxy/v1/chat/completions", kChat, auth).status == 500;
  EXPECT_GT(failed, 70);
  EXPECT_LT(failed, 130);
  json other = kChat;
  other["model"] = "gpt-4-turbo";
  EXPECT_EQ(local("POST", "/aiproxy/v1/chat/completions", other, auth).status, 200);
  // Latency distributions.
  ASSERT_EQ(put(json::array({{{"latency", {{"uniform_ms", {100, 200}}}}}})).status, 200);
  for (int i = 0; i < 50; ++i) {
    const auto d = local("GET", "/aiproxy/v1/models", nullptr, auth).delay;
    EXPECT_GE(d, std::chrono::milliseconds(100));
    EXPECT_LE(d, std::chrono::milliseconds(200));
  }
  ASSERT_EQ(put(json::array({{{"latency", {{"lognormal", {{"median_ms", 50}, {"sigma", 0.5}}}}}}})).status, 200);
  std::vector<double> ms;
  for (int i = 0; i < 401; ++i)
    ms.push_back(std::chrono::duration<double, std::milli>(local("GET", "/aiproxy/v1/models", nullptr, auth).delay).count());
  std::nth_element(ms.begin(), ms.begin() + 200, ms.end());
  EXPECT_NEAR(ms[200], 50, 8) << "the median";
  ASSERT_EQ(put(json::array({{{"latency", {{"fixed_ms", 40}}}, {"reset", true}}})).status, 200);
  const auto r = local("GET", "/aiproxy/v1/models", nullptr, auth);
  EXPECT_EQ(r.delay, std::chrono::milliseconds(40));
  EXPECT_TRUE(r.reset);
  // A header wins over the profile.
  EXPECT_FALSE(local("GET", "/aiproxy/v1/models", nullptr, {{"X-Tollgate-Fault", "delay=1ms"}}).reset);
  // Counted.
  EXPECT_GT(json::parse(local("GET", "/_mock/counters").body)["faults_injected"].get<int>(), 100);
}

TEST_F(Faults, ProviderOutageWindowsFailOverOnTheClock) {
  ASSERT_EQ(local("PUT", "/_mock/faults",
                  json::array({{{"outage", {{"source", "openai"}, {"from_s", 10}, {"for_s", 20}}}}}))
                .status,
            200);
  const Headers auth = {{"Authorization", "Bearer sk-demo"}};
  auto provider = [&] { return json::parse(local("POST", "/aiproxy/v1/chat/completions", kChat, auth).body)["provider"]; };
  EXPECT_EQ(provider(), "openai");
  mock_.clock().advance(std::chrono::seconds(10));
  EXPECT_NE(provider(), "openai") << "failed over during the window";
  mock_.clock().advance(std::chrono::seconds(20));
  EXPECT_EQ(provider(), "openai") << "back after it";
}

TEST_F(Faults, ABadProfileIsRefusedNamingTheRule) {
  auto r = local("PUT", "/_mock/faults", json::array({{{"status", 503}}, {{"status", 200}}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("faults[1]: status must be 400-599"), std::string::npos) << r.body;
  r = local("PUT", "/_mock/faults", json::array({{{"stauts", 503}}}));
  EXPECT_NE(r.body.find("faults[0]: unknown key 'stauts'"), std::string::npos) << r.body;
  r = local("PUT", "/_mock/faults", json::array({{{"latency", {{"uniform_ms", {200, 100}}}}}}));
  EXPECT_EQ(r.status, 400);
  // In a fixture: file, line and column.
  try {
    mock::parse_fixture("version: 1\naccounts: []\nkeys: []\nmodels: []\nfaults:\n  - {status: 503, rate: 2}\n", "f.yaml");
    FAIL() << "accepted";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("f.yaml:6"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tollgate::test
