// The /_mock/ admin API: who may use it, counters, the clock, reset and
// fixture loading.
#include <gtest/gtest.h>

#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

class AdminApi : public ::testing::Test {
 protected:
  MockServer mock_;
};

TEST_F(AdminApi, AnswersLoopbackOrTheToken) {
  EXPECT_EQ(mock_.local("GET", "/_mock/counters", nullptr, {}, "192.0.2.7").status, 403);
  EXPECT_EQ(mock_.local("GET", "/_mock/counters", nullptr, {}, "::1").status, 200);
  EXPECT_EQ(mock_.local("GET", "/_mock/counters", nullptr, {}, "::ffff:127.0.0.1").status, 200);
  MockServer with_token(default_fixture(), mock::LatencyMode::kFast, [](mock::MockOptions& o) { o.admin_token = "s3cret-admin"; });
  net::HttpRequest r;
  r.method = "GET";
  r.path = r.target = "/_mock/counters";
  r.remote_address = "192.0.2.7";
  r.headers = {{"Authorization", "Bearer s3cret-admin"}};
  EXPECT_EQ(with_token.app().handle(r).status, 200);
  r.headers = {{"Authorization", "Bearer wrong"}};
  EXPECT_EQ(with_token.app().handle(r).status, 403);
  EXPECT_EQ(mock_.local("GET", "/_mock/nothing").status, 404);
}

TEST_F(AdminApi, ResetLoadCountersAndClock) {
  const Headers access = {{"Authorization", "Bearer demo-access-key"}};
  ASSERT_EQ(mock_.local("DELETE", "/aiapigiare/AiApiGiaRe/deletekey/10", nullptr, access).status, 200);
  mock_.local("POST", "/aiapigiare/task/submit", {{"model", "gpt-image"}, {"prompt", "fox"}}, {{"Authorization", "Bearer sk-demo"}});
  json counters = json::parse(mock_.local("GET", "/_mock/counters").body);
  EXPECT_EQ(counters["requests"]["aiapigiare"]["202"], 1);
  EXPECT_EQ(counters["tasks"]["queued"], 1);
  // The clock moves tasks.
  const auto moved = mock_.local("POST", "/_mock/clock", {{"advance_ms", 60'000}});
  ASSERT_EQ(moved.status, 200);
  EXPECT_EQ(json::parse(mock_.local("GET", "/_mock/counters").body)["tasks"]["succeeded"], 1);
  EXPECT_EQ(mock_.local("POST", "/_mock/clock", {{"advance_ms", -5}}).status, 400);
  // Reset: the deleted key is back, tasks and counters are gone.
  ASSERT_EQ(mock_.local("POST", "/_mock/reset").status, 200);
  EXPECT_EQ(mock_.local("DELETE", "/aiapigiare/AiApiGiaRe/deletekey/10", nullptr, access).status, 200);
  counters = json::parse(mock_.local("GET", "/_mock/counters").body);
  EXPECT_EQ(counters["tasks"]["succeeded"], 0);
  // Load a fixture: a broken one is refused naming the line.
  net::HttpRequest r;
  r.method = "PUT";
  r.path = r.target = "/_mock/fixture";
  r.remote_address = "127.0.0.1";
  r.body = "version: 1\naccounts: []\nkeys: []\nmodels: []\nbogus: 1\n";
  const auto refused = mock_.app().handle(r);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find(":5:"), std::string::npos) << refused.body;
  r.body =
      "version: 1\naccounts: [{id: 1, username: solo, access_key: solo-key, quota: 100}]\n"
      "keys: [{id: 1, account: 1, key: sk-solo, name: solo, families: [aiproxy], remain_quota: 100}]\n"
      "models: [{id: m1, provider: openai, type: chat, families: [aiproxy]}]\n";
  ASSERT_EQ(mock_.app().handle(r).status, 200);
  EXPECT_EQ(mock_.local("GET", "/aiproxy/v1/models", nullptr, {{"Authorization", "Bearer sk-demo"}}).status, 401);
  const auto models = mock_.local("GET", "/aiproxy/v1/models", nullptr, {{"Authorization", "Bearer sk-solo"}});
  ASSERT_EQ(models.status, 200);
  EXPECT_EQ(json::parse(models.body)["data"].size(), 1u);
}

// A 331-byte fixture whose nested aliases would expand to a million
// values: refused at once with its line, and the mock keeps its state.
TEST_F(AdminApi, AFixtureOfExplodingAliasesIsRefusedFast) {
  std::string bomb = "version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 5; ++i) {
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", *l" : "*l") + std::to_string(i - 1);
    bomb += "]\n";
  }
  ASSERT_LT(bomb.size(), 400u);
  net::HttpRequest r;
  r.method = "PUT";
  r.path = r.target = "/_mock/fixture";
  r.remote_address = "127.0.0.1";
  r.body = bomb;
  const auto refused = mock_.app().handle(r);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("aliases repeated too often"), std::string::npos) << refused.body;
  EXPECT_EQ(mock_.local("GET", "/aiproxy/v1/models", nullptr, {{"Authorization", "Bearer sk-demo"}}).status, 200)
      << "the state it had is kept";
}

}  // namespace
}  // namespace tollgate::test
