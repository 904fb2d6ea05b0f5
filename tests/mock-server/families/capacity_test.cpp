// A model with a capacity, as clients see it: the first N answers on time,
// the next ones late by their wait in the queue (non-streamed: the whole
// answer; streamed: the first token), the rest refused in the family's
// error shape with Retry-After, nothing billed for them; GET
// /_mock/counters shows in flight and queued per model.
#include <gtest/gtest.h>

#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

// 40 tokens at the realistic latency: an answer takes 0.7 s and more, far
// longer than these requests take to send.
const json kChat = {{"model", "gpt-4o-mini"},
                    {"messages", {{{"role", "user"}, {"content", "Tell me about tollgates."}}}},
                    {"max_tokens", 40}};

TEST(MockCapacity, QueuesThenRefusesInTheFamilysShape) {
  MockServer mock(default_fixture(), mock::LatencyMode::kRealistic,
                  [](mock::MockOptions& o) { o.capacity = {2, 2, 429}; });
  const std::map<std::string, std::string> key = {{"Authorization", "Bearer sk-demo"}};
  std::vector<net::HttpResponse> answers;
  for (int i = 0; i < 5; ++i) answers.push_back(mock.local("POST", "/aiproxy/v1/chat/completions", kChat, key));
  const auto on_time = answers[0].delay;
  EXPECT_GT(on_time, std::chrono::milliseconds(500));
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_EQ(answers[1].delay, on_time);
  // Queued: late by about one answer (a slot frees when one ends).
  for (int i : {2, 3}) {
    EXPECT_EQ(answers[i].status, 200);
    EXPECT_GT(answers[i].delay, on_time + on_time / 2) << i;
  }
  // Beyond the queue: 429 in OpenAI's shape, with Retry-After.
  const auto& refused = answers[4];
  EXPECT_EQ(refused.status, 429);
  const json err = json::parse(refused.body);
  EXPECT_EQ(err["error"]["code"], "rate_limit_exceeded");
  EXPECT_NE(err["error"]["message"].get<std::string>().find("gpt-4o-mini is at capacity"), std::string::npos);
  const auto retry = std::find_if(refused.headers.begin(), refused.headers.end(),
                                  [](const auto& h) { return h.first == "Retry-After"; });
  ASSERT_NE(retry, refused.headers.end());
  EXPECT_GE(std::stoi(retry->second), 1);
  // A stream waits before its first token.
  json stream = kChat;
  stream["model"] = "gpt-4-turbo";
  stream["stream"] = true;
  mock.local("POST", "/aiproxy/v1/chat/completions", stream, key);
  mock.local("POST", "/aiproxy/v1/chat/completions", stream, key);
  const auto late = mock.local("POST", "/aiproxy/v1/chat/completions", stream, key);
  ASSERT_EQ(late.status, 200);
  ASSERT_TRUE(late.stream);
  net::StreamChunk first;
  ASSERT_TRUE(late.stream->next(first));
  EXPECT_GT(first.delay, on_time);
  // The counters: per model, in flight and queued now, and the totals.
  const auto counters = mock.call("GET", "/_mock/counters");
  const json c = json::parse(counters.body)["capacity"]["gpt-4o-mini"];
  EXPECT_EQ(c["concurrency"], 2);
  EXPECT_EQ(c["in_flight"], 2);
  EXPECT_EQ(c["queued"], 2);
  EXPECT_EQ(c["admitted"], 4);
  EXPECT_EQ(c["waited"], 2);
  EXPECT_EQ(c["refused"], 1);
  // AimiChat's shape for the same refusal.
  MockServer aimi(default_fixture(), mock::LatencyMode::kRealistic, [](mock::MockOptions& o) { o.capacity = {1, 0, 503}; });
  const json hello = {{"messages", {{{"role", "user"}, {"content", "Hello"}}}}, {"max_tokens", 40}};
  const std::map<std::string, std::string> aimi_key = {{"X-API-Key", "aimichat_demo"}};
  EXPECT_EQ(aimi.local("POST", "/aimichat/v1/chat/completions", hello, aimi_key).status, 200);
  const auto busy = aimi.local("POST", "/aimichat/v1/chat/completions", hello, aimi_key);
  EXPECT_EQ(busy.status, 503);
  EXPECT_TRUE(json::parse(busy.body).contains("error")) << busy.body;
}

TEST(MockCapacity, ARefusedRequestIsNotBilled) {
  MockServer mock(default_fixture(), mock::LatencyMode::kRealistic,
                  [](mock::MockOptions& o) { o.capacity = {1, 0, 429}; });
  const std::map<std::string, std::string> key = {{"Authorization", "Bearer sk-demo"}};
  auto used = [&] {
    const auto account = mock.context().store().account_by_access_key("demo-access-key");
    return account ? account->used_quota : -1;
  };
  const auto before = used();
  EXPECT_EQ(mock.local("POST", "/aiproxy/v1/chat/completions", kChat, key).status, 200);
  const auto after_one = used();
  EXPECT_GT(after_one, before);
  EXPECT_EQ(mock.local("POST", "/aiproxy/v1/chat/completions", kChat, key).status, 429);
  EXPECT_EQ(used(), after_one);
}

}  // namespace
}  // namespace tollgate::test
