#include <gtest/gtest.h>

#include "mock-server/content/textgen.h"
#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kDemo = {{"Authorization", "Bearer sk-demo"}};

json chat_body(const std::string& model = "gpt-4-turbo") {
  return {{"model", model}, {"messages", {{{"role", "user"}, {"content", "What is machine learning?"}}}}};
}

class AiProxy : public ::testing::Test {
 protected:
  MockServer mock_;

  ClientResponse post(const std::string& path, const json& body, const std::map<std::string, std::string>& h = kDemo) {
    auto res = mock_.call("POST", "/aiproxy" + path, body, h);
    EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy" + path, res);
    return res;
  }
  ClientResponse get(const std::string& target, const std::map<std::string, std::string>& h = kDemo) {
    auto res = mock_.call("GET", "/aiproxy" + target, nullptr, h);
    EXPECT_CONFORMS(mock_, "aiproxy", "GET", "/aiproxy" + target, res);
    return res;
  }
  static std::string code_of(const ClientResponse& r) {
    const json j = json::parse(r.body)["error"]["code"];
    return j.is_null() ? "" : j.get<std::string>();
  }
};

TEST_F(AiProxy, ListsModelsWithFilters) {
  auto all = json::parse(get("/v1/models").body)["data"];
  EXPECT_GE(all.size(), 6u);
  auto chat = json::parse(get("/v1/models?type=chat&provider=anthropic").body)["data"];
  ASSERT_EQ(chat.size(), 1u);
  EXPECT_EQ(chat[0]["id"], "claude-3-opus");
  EXPECT_EQ(get("/v1/models?type=image").status, 400);  // not a documented type
}

TEST_F(AiProxy, ChatCompletionIsDeterministicAndAddsUp) {
  const auto a = post("/v1/chat/completions", chat_body());
  const auto b = post("/v1/chat/completions", chat_body());
  ASSERT_EQ(a.status, 200);
  const json ja = json::parse(a.body), jb = json::parse(b.body);
  EXPECT_EQ(ja["choices"][0]["message"]["content"], jb["choices"][0]["message"]["content"]);
  const auto& usage = ja["usage"];
  EXPECT_EQ(usage["total_tokens"], usage["prompt_tokens"].get<int>() + usage["completion_tokens"].get<int>());
  EXPECT_EQ(usage["completion_tokens"],
            mock::count_tokens(ja["choices"][0]["message"]["content"].get<std::string>()));
  EXPECT_EQ(ja["provider"], "openai");
  EXPECT_EQ(a.headers.at("x-ratelimit-limit"), "1000000");
}

TEST_F(AiProxy, MaxTokensCutsWithLength) {
  json body = chat_body();
  body["max_tokens"] = 3;
  const json j = json::parse(post("/v1/chat/completions", body).body);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["completion_tokens"], 3);
}

TEST_F(AiProxy, StreamingFramesChunksUsageAndDone) {
  json body = chat_body();
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  const auto res = post("/v1/chat/completions", body);
  ASSERT_EQ(res.status, 200);
  EXPECT_TRUE(res.headers.at("content-type").starts_with("text/event-stream"));
  const auto events = contract::sse_data_payloads(res.body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  // finish_reason is null on every content chunk but the last; then usage.
  std::string text;
  for (std::size_t i = 0; i + 2 < events.size(); ++i) {
    const json c = json::parse(events[i]);
    const bool last = i + 3 == events.size();
    EXPECT_EQ(c["choices"][0]["finish_reason"].is_null(), !last) << events[i];
    text += c["choices"][0]["delta"]["content"].get<std::string>();
  }
  const json usage = json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], mock::count_tokens(text));
  // The same text as the non-streaming answer.
  const json plain = json::parse(post("/v1/chat/completions", chat_body()).body);
  EXPECT_EQ(plain["choices"][0]["message"]["content"], text);

  body.erase("stream_options");
  const auto no_usage = contract::sse_data_payloads(post("/v1/chat/completions", body).body);
  EXPECT_FALSE(json::parse(no_usage[no_usage.size() - 2]).contains("usage"));
}

TEST_F(AiProxy, CompletionsTakeStringOrArrayAndDefaultTo16Tokens) {
  auto j = json::parse(post("/v1/completions", {{"model", "gpt-3.5-turbo-instruct"}, {"prompt", "Say hello"}}).body);
  EXPECT_LE(j["usage"]["completion_tokens"].get<int>(), 16);
  j = json::parse(post("/v1/completions", {{"model", "gpt-3.5-turbo-instruct"}, {"prompt", {"a", "b"}}, {"max_tokens", 2}}).body);
  ASSERT_EQ(j["choices"].size(), 2u);
  EXPECT_EQ(j["choices"][1]["index"], 1);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["completion_tokens"], 4);
}

TEST_F(AiProxy, EmbeddingsAreDeterministicUnitVectors) {
  const json body = {{"model", "text-embedding-3-small"}, {"input", {"one", "two"}}, {"dimensions", 64}};
  const json a = json::parse(post("/v1/embeddings", body).body);
  const json b = json::parse(post("/v1/embeddings", body).body);
  ASSERT_EQ(a["data"].size(), 2u);
  EXPECT_EQ(a["data"][0]["embedding"], b["data"][0]["embedding"]);
  EXPECT_NE(a["data"][0]["embedding"], a["data"][1]["embedding"]);
  double norm = 0;
  for (double x : a["data"][0]["embedding"]) norm += x * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ(a["data"][0]["embedding"].size(), 64u);
  const json b64 = json::parse(
      post("/v1/embeddings", {{"model", "text-embedding-3-small"}, {"input", "x"}, {"encoding_format", "base64"}}).body);
  EXPECT_EQ(b64["data"][0]["embedding"].get<std::string>().size(), (1536 * 4 + 2) / 3 * 4);
  EXPECT_EQ(post("/v1/embeddings", {{"model", "text-embedding-3-small"}, {"input", "x"}, {"dimensions", 99999}}).status, 400);
}

// Hostile numbers and sizes: range-checked as the integers they are, and
// bounded before any work (no 32-bit wrap, no 100 MB answer).
TEST_F(AiProxy, IntegersOutOfRangeAndHugeInputsAreRefused) {
  const auto embed = [&](json extra) {
    json body = {{"model", "text-embedding-3-small"}, {"input", "x"}};
    body.update(extra);
    return post("/v1/embeddings", body);
  };
  const auto wrapped = embed({{"dimensions", (std::uint64_t{1} << 32) + 5}});
  EXPECT_EQ(wrapped.status, 400) << "2^32+5 is not 5: " << wrapped.body;
  EXPECT_NE(wrapped.body.find("'dimensions' must be from 1 to 1536"), std::string::npos) << wrapped.body;
  EXPECT_EQ(embed({{"dimensions", 0}}).status, 400);
  EXPECT_EQ(embed({{"dimensions", 8}}).status, 200);
  const auto many = embed({{"input", std::vector<std::string>(2049, "a")}});
  EXPECT_EQ(many.status, 400);
  EXPECT_NE(many.body.find("at most 2048 items; it holds 2049"), std::string::npos) << many.body;
  EXPECT_EQ(embed({{"input", std::vector<std::string>(2048, "a")}, {"dimensions", 4}}).status, 200);
  // 2,048 inputs at 1,536 dimensions would be 3.1 million numbers (~60 MB of
  // JSON from a 10 KB request): the answer is bounded, and the 400 says how.
  const auto wide = embed({{"input", std::vector<std::string>(2048, "a")}});
  EXPECT_EQ(wide.status, 400) << wide.body.substr(0, 200);
  EXPECT_NE(wide.body.find("make 3145728 numbers; the mock answers at most 1048576"), std::string::npos) << wide.body;
  EXPECT_EQ(embed({{"input", std::vector<std::string>(682, "a")}}).status, 200) << "682 x 1536 is within";
  // OpenAI's 300,000 tokens per request, summed over the inputs.
  std::string words;
  for (int i = 0; i < 8000; ++i) words += "tok ";
  const auto tokens = embed({{"input", std::vector<std::string>(40, words)}, {"dimensions", 8}});
  EXPECT_EQ(tokens.status, 400) << tokens.body.substr(0, 200);
  EXPECT_NE(tokens.body.find("max 300000 tokens per request"), std::string::npos) << tokens.body.substr(0, 300);
  json chat = chat_body();
  chat["max_tokens"] = 1e30;
  const auto huge = post("/v1/chat/completions", chat);
  EXPECT_EQ(huge.status, 400) << huge.body;
  EXPECT_NE(huge.body.find("context"), std::string::npos) << huge.body;
  chat["max_tokens"] = (std::uint64_t{1} << 63) + 1;
  EXPECT_EQ(post("/v1/chat/completions", chat).status, 400);
}

TEST_F(AiProxy, DocumentedErrors) {
  // invalid_api_key 401
  auto r = post("/v1/chat/completions", chat_body(), {{"Authorization", "Bearer sk-nope-nope-nope"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "invalid_api_key");
  EXPECT_EQ(r.body.find("sk-nope-nope-nope"), std::string::npos) << "the key must be masked";
  EXPECT_EQ(post("/v1/chat/completions", chat_body(), {}).status, 401);
  // model_not_found 404
  r = post("/v1/chat/completions", chat_body("gpt-9"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(code_of(r), "model_not_found");
  // context_length_exceeded 400 with param messages
  json long_body = chat_body("tiny-context-chat");
  long_body["messages"][0]["content"] = std::string(200, 'a') + std::string(100, '!');
  r = post("/v1/chat/completions", long_body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "context_length_exceeded");
  EXPECT_EQ(json::parse(r.body)["error"]["param"], "messages");
  // malformed bodies name the field
  r = post("/v1/chat/completions", {{"model", "gpt-4-turbo"}, {"messages", "hi"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["param"], "messages");
  r = mock_.call("POST", "/aiproxy/v1/chat/completions", nullptr, kDemo);
  EXPECT_EQ(r.status, 400);
  TestClient raw(mock_.port());
  r = raw.request("POST", "/aiproxy/v1/embeddings", "{not json", kDemo);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not valid JSON"), std::string::npos);
  EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy/v1/embeddings", r);
  // JSON declared as something else is refused; as form encoding (what
  // curl -d sends) or as nothing at all it is read.
  const std::string embed = R"({"model":"text-embedding-3-small","input":"hi"})";
  auto with_type = [&](const std::string& type) {
    auto h = kDemo;
    if (!type.empty()) h["Content-Type"] = type;
    return TestClient(mock_.port()).request("POST", "/aiproxy/v1/embeddings", embed, h);
  };
  r = with_type("text/plain");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("declared as 'text/plain'"), std::string::npos) << r.body;
  EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy/v1/embeddings", r);
  EXPECT_EQ(with_type("application/x-www-form-urlencoded").status, 200);
  EXPECT_EQ(with_type("Application/JSON; charset=utf-8").status, 200);
  EXPECT_EQ(with_type("").status, 200);
  // wrong method and unknown path in the OpenAI shape
  r = mock_.call("DELETE", "/aiproxy/v1/models", nullptr, kDemo);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at("allow"), "GET");
  r = mock_.call("GET", "/aiproxy/v1/nothing", nullptr, kDemo);
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(json::parse(r.body)["error"].contains("type"));
}

TEST_F(AiProxy, RateLimitBitesAndResetsWithTheWindow) {
  const std::map<std::string, std::string> limited = {{"Authorization", "Bearer sk-limited"}};
  for (int i = 0; i < 3; ++i) {
    const auto r = get("/v1/models", limited);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.at("x-ratelimit-remaining"), std::to_string(2 - i));
  }
  const auto refused = get("/v1/models", limited);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(code_of(refused), "rate_limit_exceeded");
  EXPECT_EQ(refused.headers.at("retry-after"), "61");  // the first slot frees 60.1 s on, rounded up
  mock_.clock().advance(std::chrono::milliseconds(60'100));
  EXPECT_EQ(get("/v1/models", limited).status, 200);
}

TEST_F(AiProxy, RateLimitSlidesExactlyAtItsEdges) {
  const std::map<std::string, std::string> limited = {{"Authorization", "Bearer sk-limited"}};  // 3 per minute
  EXPECT_EQ(get("/v1/models", limited).status, 200);              // t = 0
  mock_.clock().advance(std::chrono::seconds(30));
  EXPECT_EQ(get("/v1/models", limited).status, 200);              // t = 30 s
  EXPECT_EQ(get("/v1/models", limited).status, 200);
  auto refused = get("/v1/models", limited);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.at("retry-after"), "31");             // the t = 0 request's bucket leaves at 60.1 s
  mock_.clock().advance(std::chrono::milliseconds(30'000));        // t = 60 s: still three within the last minute
  EXPECT_EQ(get("/v1/models", limited).status, 429);
  mock_.clock().advance(std::chrono::milliseconds(100));           // t = 60.1 s: the first one left
  const auto admitted = get("/v1/models", limited);
  EXPECT_EQ(admitted.status, 200);
  EXPECT_EQ(admitted.headers.at("x-ratelimit-remaining"), "0");
  EXPECT_EQ(get("/v1/models", limited).status, 429);              // a fixed window would admit 3 more here
}

TEST_F(AiProxy, ProviderFailover) {
  const json body = chat_body("claude-3-opus");
  EXPECT_EQ(json::parse(post("/v1/chat/completions", body).body)["provider"], "anthropic");
  mock_.context().set_provider_healthy("anthropic", false);
  EXPECT_EQ(json::parse(post("/v1/chat/completions", body).body)["provider"], "aws-bedrock");
  json preferred = body;
  preferred["provider"] = "aws-bedrock";
  mock_.context().set_provider_healthy("anthropic", true);
  EXPECT_EQ(json::parse(post("/v1/chat/completions", preferred).body)["provider"], "aws-bedrock");
  mock_.context().set_provider_healthy("anthropic", false);
  mock_.context().set_provider_healthy("aws-bedrock", false);
  const auto down = post("/v1/chat/completions", body);
  EXPECT_EQ(down.status, 500);
}

TEST_F(AiProxy, KeyStatesAreRefused) {
  auto r = post("/v1/chat/completions", chat_body(), {{"Authorization", "Bearer sk-expired"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expired"), std::string::npos);
  r = post("/v1/chat/completions", chat_body(), {{"Authorization", "Bearer sk-disabled"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("disabled"), std::string::npos);
  r = post("/v1/chat/completions", chat_body(), {{"Authorization", "Bearer sk-empty"}});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(code_of(r), "insufficient_quota");
  // A key of another family is not valid here.
  EXPECT_EQ(post("/v1/chat/completions", chat_body(), {{"Authorization", "Bearer aimichat_demo"}}).status, 401);
}

TEST_F(AiProxy, LatencyProfileDelaysWithoutBlocking) {
  MockServer slow(default_fixture(), mock::LatencyMode::kRealistic);
  // Streaming starts while another request waits: the worker is not held.
  json body = chat_body("gpt-4o-mini");
  body["max_tokens"] = 2;
  const auto r = slow.call("POST", "/aiproxy/v1/chat/completions", body, kDemo);
  EXPECT_EQ(r.status, 200);
  EXPECT_CONFORMS(slow, "aiproxy", "POST", "/aiproxy/v1/chat/completions", r);
}

}  // namespace
}  // namespace tollgate::test
