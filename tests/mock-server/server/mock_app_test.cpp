#include "mock-server/server/mock_app.h"

#include <gtest/gtest.h>

#include "net/listen_address.h"
#include "tests/support/fake_clock.h"
#include "tests/support/paths.h"

namespace tollgate::mock {
namespace {

using test::FakeClock;

MockOptions options(const std::string& family = "", std::filesystem::path spec = test::spec_dir()) {
  MockOptions o;
  o.spec_dir = std::move(spec);
  o.fixture = test::default_fixture();
  o.family = family;
  return o;
}

net::HttpRequest get(const std::string& path, const std::string& method = "GET") {
  net::HttpRequest r;
  r.method = method;
  r.path = r.target = path;
  return r;
}

TEST(MockApp, ServesEachFamilysContractAsOneDocument) {
  FakeClock clock;
  MockApp app(options(), clock);
  const std::map<std::string, std::size_t> expected = {{"aiapigiare", 9}, {"aimichat", 1}, {"aiproxy", 7}, {"apixo", 2}};
  for (const auto& [family, operations] : expected) {
    SCOPED_TRACE(family);
    const auto res = app.handle(get("/" + family + "/openapi.json"));
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.content_type, "application/json");
    // The served document is a loadable contract with all its operations.
    const auto contract = contract::Contract::parse(res.body, family + ".json");
    EXPECT_EQ(contract->operations().size(), operations);
  }
}

TEST(MockApp, MergedAiapigiareKeepsEachOperationsSecurity) {
  FakeClock clock;
  MockApp app(options(), clock);
  const auto doc = nlohmann::json::parse(app.handle(get("/aiapigiare/openapi.json")).body);
  EXPECT_EQ(doc["paths"]["/AiApiGiaRe/user"]["get"]["security"][0].begin().key(), "accessKey");
  EXPECT_EQ(doc["paths"]["/task/submit"]["post"]["security"][0].begin().key(), "bearerAuth");
}

TEST(MockApp, HealthzWrongMethodAndUnknownPath) {
  FakeClock clock;
  MockApp app(options(), clock);
  const auto health = app.handle(get("/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");
  const auto post = app.handle(get("/healthz", "POST"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.at(0).first, "Allow");
  EXPECT_EQ(app.handle(get("/nope")).status, 404);
  EXPECT_EQ(app.handle(get("/aiproxyx/v1/models")).status, 404);
}

TEST(MockApp, MissingSpecDirectoryIsAClearError) {
  try {
    FakeClock clock;
    MockApp app(options("", "/nonexistent/spec"), clock);
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/spec/aiapigiare-system.yaml: cannot read file"),
              std::string::npos)
        << e.what();
  }
}

TEST(MockApp, OneFamilyAtTheRoot) {
  FakeClock clock;
  MockApp app(options("aiproxy"), clock);
  net::HttpRequest r = get("/v1/models");
  r.headers.emplace_back("Authorization", "Bearer sk-demo");
  EXPECT_EQ(app.handle(r).status, 200);
  EXPECT_EQ(app.handle(get("/openapi.json")).status, 200);
  EXPECT_EQ(app.handle(get("/aiproxy/v1/models")).status, 404);  // no prefix in one-family mode
  try {
    MockApp bad(options("nope"), clock);
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown family 'nope'"), std::string::npos);
  }
}

TEST(ListenAddress, ParsesHostAndPort) {
  std::string host;
  std::uint16_t port = 1;
  EXPECT_EQ(net::parse_listen_address("127.0.0.1:0", host, port), "");
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  EXPECT_EQ(net::parse_listen_address("[::1]:8080", host, port), "");
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8080);
  EXPECT_NE(net::parse_listen_address("127.0.0.1", host, port), "");
  EXPECT_NE(net::parse_listen_address("127.0.0.1:99999", host, port), "");
  EXPECT_NE(net::parse_listen_address(":80", host, port), "");
}

}  // namespace
}  // namespace tollgate::mock
