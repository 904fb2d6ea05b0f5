#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

const json kHello = {{"messages", {{{"role", "user"}, {"content", "Hello, how are you?"}}}}, {"max_tokens", 500}};

class AimiChat : public ::testing::Test {
 protected:
  MockServer mock_;
  ClientResponse chat(const std::string& target, const json& body, const std::map<std::string, std::string>& h) {
    auto res = mock_.call("POST", target, body, h);
    EXPECT_CONFORMS(mock_, "aimichat", "POST", target, res);
    return res;
  }
};

TEST_F(AimiChat, AcceptsTheKeyInAllThreeWays) {
  const std::string path = "/aimichat/v1/chat/completions";
  EXPECT_EQ(chat(path, kHello, {{"Authorization", "Bearer aimichat_demo"}}).status, 200);
  EXPECT_EQ(chat(path, kHello, {{"X-API-Key", "aimichat_demo"}}).status, 200);
  EXPECT_EQ(chat(path + "?api_key=aimichat_demo", kHello, {}).status, 200);
  const auto bad = chat(path, kHello, {{"X-API-Key", "aimichat_wrong_key"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.body.find("aimichat_wrong_key"), std::string::npos);
  EXPECT_EQ(chat(path, kHello, {}).status, 401);
}

TEST_F(AimiChat, AnswersInTheDocumentedShape) {
  const auto res = chat("/aimichat/v1/chat/completions", kHello, {{"X-API-Key", "aimichat_demo"}});
  const json j = json::parse(res.body);
  EXPECT_EQ(j["model"], "aimichat-1");
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(res.headers.at("x-ratelimit-limit"), "100");
  EXPECT_EQ(res.headers.at("x-ratelimit-remaining"), "99");
  EXPECT_EQ(res.headers.at("x-ratelimit-reset"), "2026-01-02T00:00:00Z");
}

TEST_F(AimiChat, Streams) {
  json body = kHello;
  body["stream"] = true;
  const auto res = chat("/aimichat/v1/chat/completions", body, {{"X-API-Key", "aimichat_demo"}});
  ASSERT_EQ(res.status, 200);
  const auto events = contract::sse_data_payloads(res.body);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_TRUE(json::parse(events.front())["choices"][0]["delta"].contains("content"));
}

TEST_F(AimiChat, MalformedBodyIs400WithCreditsHeaders) {
  const auto res = chat("/aimichat/v1/chat/completions", {{"messages", json::array()}}, {{"X-API-Key", "aimichat_demo"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(json::parse(res.body)["message"].get<std::string>().find("messages"), std::string::npos);
  EXPECT_EQ(res.headers.at("x-ratelimit-remaining"), "100");  // a refused request costs no credit
}

TEST(AimiChatCredits, DailyLimitGives429AndResetsAtMidnight) {
  // A fixture whose account has two credits a day, shared by its keys.
  const auto path = std::filesystem::temp_directory_path() / ("aimichat-credits-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(path) << R"(version: 1
accounts:
  - {id: 1, username: a, access_key: ak, quota: 1000000, aimichat_daily_credits: 2}
keys:
  - {id: 1, account: 1, key: aimichat_one, name: one, families: [aimichat], unlimited_quota: true}
  - {id: 2, account: 1, key: aimichat_two, name: two, families: [aimichat], unlimited_quota: true}
models:
  - {id: aimichat-1, provider: aimichat, type: chat, families: [aimichat]}
)";
  MockServer mock(path);
  std::filesystem::remove(path);
  const std::string target = "/aimichat/v1/chat/completions";
  EXPECT_EQ(mock.call("POST", target, kHello, {{"X-API-Key", "aimichat_one"}}).status, 200);
  EXPECT_EQ(mock.call("POST", target, kHello, {{"X-API-Key", "aimichat_two"}}).status, 200);
  const auto refused = mock.call("POST", target, kHello, {{"X-API-Key", "aimichat_one"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_CONFORMS(mock, "aimichat", "POST", target, refused);
  const json body = json::parse(refused.body);
  EXPECT_EQ(body["error"], "Rate limit exceeded");
  EXPECT_EQ(body["message"], "Daily credit limit reached");
  EXPECT_EQ(body["limit"], 2);
  EXPECT_EQ(body["used"], 2);
  EXPECT_EQ(body["resetAt"], "2026-01-02T00:00:00Z");
  EXPECT_EQ(refused.headers.at("x-ratelimit-remaining"), "0");
  mock.clock().advance(std::chrono::hours(24));
  EXPECT_EQ(mock.call("POST", target, kHello, {{"X-API-Key", "aimichat_one"}}).status, 200);
}

}  // namespace
}  // namespace tollgate::test
