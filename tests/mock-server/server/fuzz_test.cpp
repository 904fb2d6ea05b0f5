// Malformed and hostile requests against the whole mock: never a crash or a
// hang, always an answer in the family's shape, and the server stays up.
#include <random>

#include <gtest/gtest.h>

#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

json mutate(json value, std::mt19937& rng) {
  if (value.is_object() && !value.empty()) {
    auto it = value.begin();
    std::advance(it, rng() % value.size());
    switch (rng() % 4) {
      case 0: value.erase(it.key()); break;
      case 1: it.value() = nullptr; break;
      case 2: it.value() = json::array({1, "x", json::object()}); break;
      default: it.value() = mutate(it.value(), rng);
    }
  } else if (value.is_array() && !value.empty()) {
    value[rng() % value.size()] = mutate(value[rng() % value.size()], rng);
  } else {
    const json replacements[] = {-1, 1e300, "", std::string(5000, 'z'), true, json::object(), json::array(), -9223372036854775807LL};
    value = replacements[rng() % std::size(replacements)];
  }
  return value;
}

TEST(Fuzz, MalformedRequestsGetFamilyErrorsNotCrashes) {
  MockServer mock;
  std::mt19937 rng(20261122);  // fixed seed: failures reproduce
  struct Target {
    std::string path;
    std::string auth_header, auth_value;
    json body;
  };
  const std::vector<Target> targets = {
      {"/aiproxy/v1/chat/completions", "Authorization", "Bearer sk-demo",
       {{"model", "gpt-4-turbo"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"stream", false}, {"max_tokens", 5},
        {"stream_options", {{"include_usage", true}}}}},
      {"/aiproxy/v1/completions", "Authorization", "Bearer sk-demo",
       {{"model", "gpt-3.5-turbo-instruct"}, {"prompt", {"a", "b"}}, {"max_tokens", 3}}},
      {"/aiproxy/v1/embeddings", "Authorization", "Bearer sk-demo",
       {{"model", "text-embedding-3-small"}, {"input", "x"}, {"dimensions", 8}, {"encoding_format", "float"}}},
      {"/aimichat/v1/chat/completions", "X-API-Key", "aimichat_demo",
       {{"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"max_tokens", 5}}},
      {"/aiapigiare/AiApiGiaRe/editquota/1", "Authorization", "Bearer demo-access-key", {{"remain_quota", 5}}},
  };
  int answered = 0;
  for (int round = 0; round < 60; ++round) {
    for (const auto& t : targets) {
      const json body = mutate(t.body, rng);
      const std::string method = t.path.find("editquota") != std::string::npos ? "PUT" : "POST";
      const auto res = mock.call(method, t.path, body, {{t.auth_header, t.auth_value}});
      ASSERT_GT(res.status, 0);
      ASSERT_LT(res.status, 500) << t.path << " " << body.dump() << " -> " << res.body;
      EXPECT_FALSE(json::parse(res.body, nullptr, false).is_discarded() &&
                   !res.headers.at("content-type").starts_with("text/event-stream"))
          << res.body;
      ++answered;
    }
  }
  // Raw garbage on the socket: bad request lines, bad headers, lies about length.
  const std::string garbage[] = {
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 tls hello\r\n\r\n",
      "GET /aiproxy/v1/models HTTP/9.9\r\n\r\n",
      "POST /aiproxy/v1/chat/completions HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "POST /aiproxy/v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
      std::string("GET /\0\0 HTTP/1.1\r\n\r\n", 20),
  };
  for (const auto& g : garbage) {
    TestClient client(mock.port());
    client.send_raw(g);
    try {
      const auto res = client.read_response();
      EXPECT_GE(res.status, 400) << g;
    } catch (const std::exception&) {
      // The server may also just close: what matters is that it survives.
    }
  }
  EXPECT_EQ(mock.call("GET", "/healthz").status, 200);
  EXPECT_EQ(answered, 300);
}

TEST(Fuzz, OversizeBodyIs413FromTheWholeMock) {
  MockServer mock;
  TestClient client(mock.port());
  const auto res = client.request("POST", "/aiproxy/v1/chat/completions", std::string(11 * 1024 * 1024, 'x'),
                                  {{"Authorization", "Bearer sk-demo"}});
  EXPECT_EQ(res.status, 413);
}

}  // namespace
}  // namespace tollgate::test
