// Every documented status the mock can produce today, for every operation it
// implements, produced once and checked against the contract.
#include <gtest/gtest.h>

#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

struct Case {
  std::string family, method, target;
  json body;
  std::map<std::string, std::string> headers;
  int status;
  std::function<void(MockServer&)> before = nullptr;
};

const std::map<std::string, std::string> kSk = {{"Authorization", "Bearer sk-demo"}};
const std::map<std::string, std::string> kAk = {{"Authorization", "Bearer demo-access-key"}};
const std::map<std::string, std::string> kBad = {{"Authorization", "Bearer wrong-key-123"}};
const std::map<std::string, std::string> kLimited = {{"Authorization", "Bearer sk-limited"}};

json chat(const std::string& model) { return {{"model", model}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}; }

void all_down(MockServer& m) {
  for (const char* p : {"openai", "azure-openai"}) m.context().set_provider_healthy(p, false);
}
void exhaust_rate(MockServer& m) {
  for (int i = 0; i < 3; ++i) m.call("GET", "/aiproxy/v1/models", nullptr, kLimited);
}

TEST(DocumentedStatus, EveryStatusTheMockProducesConforms) {
  const json completion = {{"model", "gpt-3.5-turbo-instruct"}, {"prompt", "x"}};
  const json embedding = {{"model", "text-embedding-3-small"}, {"input", "x"}};
  const json response = {{"model", "gpt-4-turbo"}, {"input", "x"}};
  const std::vector<Case> cases = {
      {"aiproxy", "GET", "/aiproxy/v1/models", nullptr, kSk, 200},
      {"aiproxy", "GET", "/aiproxy/v1/models?provider=nobody", nullptr, kSk, 400},
      {"aiproxy", "GET", "/aiproxy/v1/models", nullptr, kBad, 401},
      {"aiproxy", "GET", "/aiproxy/v1/models", nullptr, kLimited, 429, exhaust_rate},
      {"aiproxy", "POST", "/aiproxy/v1/completions", completion, kSk, 200},
      {"aiproxy", "POST", "/aiproxy/v1/completions", {{"model", "gpt-3.5-turbo-instruct"}}, kSk, 400},
      {"aiproxy", "POST", "/aiproxy/v1/completions", completion, kBad, 401},
      {"aiproxy", "POST", "/aiproxy/v1/completions", {{"model", "nope"}, {"prompt", "x"}}, kSk, 404},
      {"aiproxy", "POST", "/aiproxy/v1/completions", completion, kLimited, 429, exhaust_rate},
      {"aiproxy", "POST", "/aiproxy/v1/completions", completion, kSk, 500, all_down},
      {"aiproxy", "POST", "/aiproxy/v1/chat/completions", chat("gpt-4-turbo"), kSk, 200},
      {"aiproxy", "POST", "/aiproxy/v1/chat/completions", {{"model", "gpt-4-turbo"}}, kSk, 400},
      {"aiproxy", "POST", "/aiproxy/v1/chat/completions", chat("gpt-4-turbo"), kBad, 401},
      {"aiproxy", "POST", "/aiproxy/v1/chat/completions", chat("nope"), kSk, 404},
      {"aiproxy", "POST", "/aiproxy/v1/chat/completions", chat("gpt-4-turbo"), {{"Authorization", "Bearer sk-empty"}}, 429},
      {"aiproxy", "POST", "/aiproxy/v1/chat/completions", chat("gpt-4-turbo"), kSk, 500, all_down},
      {"aiproxy", "POST", "/aiproxy/v1/embeddings", embedding, kSk, 200},
      {"aiproxy", "POST", "/aiproxy/v1/embeddings", {{"input", "x"}}, kSk, 400},
      {"aiproxy", "POST", "/aiproxy/v1/embeddings", embedding, kBad, 401},
      {"aiproxy", "POST", "/aiproxy/v1/embeddings", {{"model", "nope"}, {"input", "x"}}, kSk, 404},
      {"aiproxy", "POST", "/aiproxy/v1/embeddings", embedding, kLimited, 429, exhaust_rate},
      {"aiproxy", "POST", "/aiproxy/v1/embeddings", embedding, kSk, 500, all_down},
      {"aiproxy", "POST", "/aiproxy/v1/responses", response, kSk, 200},
      {"aiproxy", "POST", "/aiproxy/v1/responses", {{"input", "x"}}, kSk, 400},
      {"aiproxy", "POST", "/aiproxy/v1/responses", response, kBad, 401},
      {"aiproxy", "POST", "/aiproxy/v1/responses", {{"model", "nope"}, {"input", "x"}}, kSk, 404},
      {"aiproxy", "POST", "/aiproxy/v1/responses", response, kLimited, 429, exhaust_rate},
      {"aiproxy", "POST", "/aiproxy/v1/responses", response, kSk, 500, all_down},
      {"aiproxy", "GET", "/aiproxy/v1/responses/resp_nope", nullptr, kBad, 401},
      {"aiproxy", "GET", "/aiproxy/v1/responses/resp_nope", nullptr, kSk, 404},
      {"aiproxy", "GET", "/aiproxy/v1/responses/resp_nope", nullptr, kLimited, 429, exhaust_rate},
      {"aiproxy", "DELETE", "/aiproxy/v1/responses/resp_nope", nullptr, kBad, 401},
      {"aiproxy", "DELETE", "/aiproxy/v1/responses/resp_nope", nullptr, kSk, 404},
      {"aiproxy", "DELETE", "/aiproxy/v1/responses/resp_nope", nullptr, kLimited, 429, exhaust_rate},
      {"aimichat", "POST", "/aimichat/v1/chat/completions", {{"messages", {{{"role", "user"}, {"content", "hi"}}}}},
       {{"X-API-Key", "aimichat_demo"}}, 200},
      {"aimichat", "POST", "/aimichat/v1/chat/completions", {{"messages", "hi"}}, {{"X-API-Key", "aimichat_demo"}}, 400},
      {"aimichat", "POST", "/aimichat/v1/chat/completions", {{"messages", json::array()}}, kBad, 401},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/user", nullptr, kAk, 200},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/user", nullptr, kBad, 401},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/apikeylist", nullptr, kAk, 200},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/apikeylist", nullptr, kBad, 401},
      {"aiapigiare", "DELETE", "/aiapigiare/AiApiGiaRe/deletekey/4", nullptr, kAk, 200},
      {"aiapigiare", "DELETE", "/aiapigiare/AiApiGiaRe/deletekey/0", nullptr, kAk, 400},
      {"aiapigiare", "DELETE", "/aiapigiare/AiApiGiaRe/deletekey/4", nullptr, kBad, 401},
      {"aiapigiare", "DELETE", "/aiapigiare/AiApiGiaRe/deletekey/8", nullptr, kAk, 404},
      {"aiapigiare", "PUT", "/aiapigiare/AiApiGiaRe/editquota/1", {{"remain_quota", 10}}, kAk, 200},
      {"aiapigiare", "PUT", "/aiapigiare/AiApiGiaRe/editquota/1", {{"remain_quota", "ten"}}, kAk, 400},
      {"aiapigiare", "PUT", "/aiapigiare/AiApiGiaRe/editquota/1", {{"remain_quota", 10}}, kBad, 401},
      {"aiapigiare", "PUT", "/aiapigiare/AiApiGiaRe/editquota/8", {{"remain_quota", 10}}, kAk, 404},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/task?start_timestamp=0&end_timestamp=1", nullptr, kAk, 200},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/task?start_timestamp=x&end_timestamp=1", nullptr, kAk, 400},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/task?start_timestamp=0&end_timestamp=1", nullptr, kBad, 401},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/logs", nullptr, kAk, 200},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/logs?p=0", nullptr, kAk, 400},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/logs", nullptr, kBad, 401},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/models", nullptr, kAk, 200},
      {"aiapigiare", "GET", "/aiapigiare/AiApiGiaRe/models", nullptr, kBad, 401},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target + " expecting " + std::to_string(c.status));
    MockServer mock;  // a fresh state per case
    if (c.before) c.before(mock);
    const auto res = mock.call(c.method, c.target, c.body, c.headers);
    EXPECT_EQ(res.status, c.status) << res.body;
    EXPECT_CONFORMS(mock, c.family, c.method, c.target, res);
  }
}

}  // namespace
}  // namespace tollgate::test
