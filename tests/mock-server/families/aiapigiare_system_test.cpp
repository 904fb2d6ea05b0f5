#include <limits>

#include <gtest/gtest.h>

#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kDemo = {{"Authorization", "Bearer demo-access-key"}};
const std::map<std::string, std::string> kOther = {{"Authorization", "Bearer other-access-key"}};

class Aiapigiare : public ::testing::Test {
 protected:
  MockServer mock_;
  json call(const std::string& method, const std::string& target, int status, const json& body = nullptr,
            const std::map<std::string, std::string>& h = kDemo) {
    const auto res = mock_.call(method, "/aiapigiare" + target, body, h);
    EXPECT_EQ(res.status, status) << method << " " << target << ": " << res.body;
    EXPECT_CONFORMS(mock_, "aiapigiare", method, "/aiapigiare" + target, res);
    return json::parse(res.body);
  }
  json key(const std::string& name) {
    const json keys = call("GET", "/AiApiGiaRe/apikeylist", 200)["data"];
    for (const auto& k : keys)
      if (k["name"] == name) return k;
    return nullptr;
  }
  void spend(const std::string& key, int times = 1) {
    for (int i = 0; i < times; ++i)
      mock_.call("POST", "/aiproxy/v1/chat/completions",
                 {{"model", "gpt-4-turbo"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}},
                 {{"Authorization", "Bearer " + key}});
  }
};

TEST_F(Aiapigiare, UserReflectsLiveQuotaAndRequestCount) {
  const json before = call("GET", "/AiApiGiaRe/user", 200)["data"];
  EXPECT_EQ(before["username"], "demo");
  EXPECT_EQ(before["access_token"].get<std::string>().find("demo-access-key"), std::string::npos);
  spend("sk-demo", 3);
  const json after = call("GET", "/AiApiGiaRe/user", 200)["data"];
  EXPECT_EQ(after["request_count"], before["request_count"].get<int>() + 3);
  const std::int64_t spent = after["used_quota"].get<std::int64_t>() - before["used_quota"].get<std::int64_t>();
  EXPECT_GT(spent, 0);
  EXPECT_EQ(before["quota"].get<std::int64_t>() - after["quota"].get<std::int64_t>(), spent);
  call("GET", "/AiApiGiaRe/user", 401, nullptr, {{"Authorization", "Bearer wrong"}});
  call("GET", "/AiApiGiaRe/user", 401, nullptr, {});
}

TEST_F(Aiapigiare, KeyListIsMaskedFilteredAndOwnOnly) {
  const json keys = call("GET", "/AiApiGiaRe/apikeylist", 200)["data"];
  EXPECT_EQ(keys.size(), 9u);  // account 1 owns keys 1-7, 10 and 11
  for (const auto& k : keys) {
    EXPECT_NE(k["key"].get<std::string>().find('*'), std::string::npos);
    EXPECT_NE(k["name"], "other-prod");
  }
  const json filtered = call("GET", "/AiApiGiaRe/apikeylist?keyword=exp", 200)["data"];
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0]["name"], "expired");
  EXPECT_EQ(call("GET", "/AiApiGiaRe/apikeylist", 200, nullptr, kOther)["data"].size(), 2u);
}

TEST_F(Aiapigiare, KeyStatusMovesLazily) {
  EXPECT_EQ(key("expired")["status"], 3);  // past its expired_time
  EXPECT_EQ(key("empty")["status"], 4);    // no quota left
  EXPECT_EQ(key("disabled")["status"], 2);
  // What one call costs (the answer is deterministic, so is its price).
  spend("sk-demo");
  const std::int64_t cost = call("GET", "/AiApiGiaRe/logs?type=2", 200)["data"]["items"][0]["quota"];
  ASSERT_GT(cost, 0);
  // Refill the empty key with exactly that: enabled again.
  const json edited = call("PUT", "/AiApiGiaRe/editquota/2", 200, {{"remain_quota", cost}})["data"];
  EXPECT_EQ(edited["status"], 1);
  EXPECT_EQ(edited["remain_quota"], cost);
  // One call spends it to 0: the key is exhausted, and the next call refused.
  spend("sk-empty");
  const json exhausted = key("empty");
  EXPECT_EQ(exhausted["remain_quota"], 0);
  EXPECT_EQ(exhausted["status"], 4);
  EXPECT_EQ(exhausted["used_quota"], cost);
  const auto refused = mock_.call("POST", "/aiproxy/v1/chat/completions",
                                  {{"model", "gpt-4-turbo"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}},
                                  {{"Authorization", "Bearer sk-empty"}});
  EXPECT_EQ(refused.status, 429);
  // A key with less left than a call costs is refused without a charge.
  call("PUT", "/AiApiGiaRe/editquota/2", 200, {{"remain_quota", cost - 1}});
  spend("sk-empty");
  EXPECT_EQ(key("empty")["remain_quota"], cost - 1);
  EXPECT_EQ(key("empty")["status"], 1);
}

TEST_F(Aiapigiare, EditAndDeleteChangeTheStoreAndWriteManageLogs) {
  call("PUT", "/AiApiGiaRe/editquota/1", 200, {{"remain_quota", 12345}, {"unlimited_quota", false}});
  EXPECT_EQ(key("demo")["remain_quota"], 12345);
  call("DELETE", "/AiApiGiaRe/deletekey/5", 200);
  EXPECT_TRUE(key("limited").is_null());
  // The deleted key no longer authenticates.
  EXPECT_EQ(mock_.call("GET", "/aiproxy/v1/models", nullptr, {{"Authorization", "Bearer sk-limited"}}).status, 401);
  const json manage = call("GET", "/AiApiGiaRe/logs?type=3", 200)["data"];
  ASSERT_EQ(manage["total"], 2);
  EXPECT_NE(manage["items"][0]["content"].get<std::string>().find("deleted"), std::string::npos);  // newest first
  // Bad input.
  call("PUT", "/AiApiGiaRe/editquota/1", 400, {{"remain_quota", -5}});
  call("PUT", "/AiApiGiaRe/editquota/1", 400, {{"quota", 5}});
  call("DELETE", "/AiApiGiaRe/deletekey/abc", 400);
  call("DELETE", "/AiApiGiaRe/deletekey/999", 404);
  // Hostile numbers: beyond int64, fractional, or a key id past 64 bits.
  call("PUT", "/AiApiGiaRe/editquota/1", 400, {{"remain_quota", 1e30}});
  call("PUT", "/AiApiGiaRe/editquota/1", 400, {{"remain_quota", std::uint64_t{1} << 63}});
  call("PUT", "/AiApiGiaRe/editquota/1", 400, {{"remain_quota", 5.5}});
  call("PUT", "/AiApiGiaRe/editquota/99999999999999999999", 400, {{"remain_quota", 5}});
  call("PUT", "/AiApiGiaRe/editquota/1", 200, {{"remain_quota", std::numeric_limits<std::int64_t>::max()}});
  EXPECT_EQ(key("demo")["remain_quota"], std::numeric_limits<std::int64_t>::max());
}

TEST_F(Aiapigiare, AnotherAccountsKeysAreOutOfReach) {
  call("DELETE", "/AiApiGiaRe/deletekey/1", 404, nullptr, kOther);
  call("PUT", "/AiApiGiaRe/editquota/1", 404, {{"remain_quota", 1}}, kOther);
  EXPECT_EQ(key("demo")["remain_quota"], 2500000000);
  spend("sk-demo");
  EXPECT_EQ(call("GET", "/AiApiGiaRe/logs", 200, nullptr, kOther)["data"]["total"], 0);
}

TEST_F(Aiapigiare, LogsComeFromTrafficWithFiltersPagesAndTimeRange) {
  spend("sk-demo", 2);
  mock_.clock().advance(std::chrono::seconds(100));
  mock_.call("POST", "/aiproxy/v1/embeddings", {{"model", "text-embedding-3-small"}, {"input", "x"}},
             {{"Authorization", "Bearer sk-demo"}});
  const json all = call("GET", "/AiApiGiaRe/logs?type=2", 200)["data"];
  ASSERT_EQ(all["total"], 3);
  const json newest = all["items"][0];
  EXPECT_EQ(newest["model_name"], "text-embedding-3-small");
  EXPECT_EQ(newest["token_name"], "demo");
  EXPECT_EQ(newest["username"], "demo");
  EXPECT_GT(newest["prompt_tokens"], 0);
  EXPECT_EQ(all["items"][1]["model_name"], "gpt-4-turbo");
  EXPECT_GT(all["items"][1]["quota"], 0);

  EXPECT_EQ(call("GET", "/AiApiGiaRe/logs?model_name=gpt-4-turbo", 200)["data"]["total"], 2);
  EXPECT_EQ(call("GET", "/AiApiGiaRe/logs?token_name=nope", 200)["data"]["total"], 0);
  EXPECT_EQ(call("GET", "/AiApiGiaRe/logs?username=demo", 200)["data"]["total"], 3);
  const std::int64_t t0 = 1767225600;
  EXPECT_EQ(call("GET", "/AiApiGiaRe/logs?start_timestamp=" + std::to_string(t0 + 50), 200)["data"]["total"], 1);
  EXPECT_EQ(call("GET", "/AiApiGiaRe/logs?end_timestamp=" + std::to_string(t0 + 50), 200)["data"]["total"], 2);
  const json page2 = call("GET", "/AiApiGiaRe/logs?p=2&page_size=2", 200)["data"];
  EXPECT_EQ(page2["total"], 3);
  ASSERT_EQ(page2["items"].size(), 1u);
  EXPECT_EQ(page2["page"], 2);
  call("GET", "/AiApiGiaRe/logs?page_size=0", 400);
  call("GET", "/AiApiGiaRe/logs?type=9", 400);
  // Hostile numbers: past 64 bits, out of range, or a page beyond any log.
  call("GET", "/AiApiGiaRe/logs?page_size=10001", 400);
  call("GET", "/AiApiGiaRe/logs?p=99999999999999999999", 400);
  call("GET", "/AiApiGiaRe/logs?start_timestamp=1e99", 400);
  const json far = call("GET", "/AiApiGiaRe/logs?p=9223372036854775807&page_size=10000", 200)["data"];
  EXPECT_EQ(far["total"], 3);
  EXPECT_TRUE(far["items"].empty());
}

TEST_F(Aiapigiare, TasksAndModels) {
  EXPECT_TRUE(call("GET", "/AiApiGiaRe/task?start_timestamp=0&end_timestamp=9999999999", 200)["data"].empty());
  const json missing = call("GET", "/AiApiGiaRe/task?start_timestamp=0", 400);
  EXPECT_NE(missing["message"].get<std::string>().find("end_timestamp"), std::string::npos);
  const json models = call("GET", "/AiApiGiaRe/models", 200)["data"];  // a copy, not a view of a temporary
  bool imagen = false;
  for (const auto& m : models)
    if (m["model_name"] == "imagen4-fast") {
      imagen = true;
      EXPECT_EQ(m["billing_type"], "pay-per-request");
      EXPECT_EQ(m["uptime"], 1);
    }
  EXPECT_TRUE(imagen);
}

TEST_F(Aiapigiare, UnknownPathsAndMethodsInTheEnvelope) {
  auto r = mock_.call("GET", "/aiapigiare/AiApiGiaRe/nothing", nullptr, kDemo);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["success"], false);
  r = mock_.call("POST", "/aiapigiare/AiApiGiaRe/user", nullptr, kDemo);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at("allow"), "GET");
  // The Media API's own errors are {error: {code, message}}.
  r = mock_.call("GET", "/aiapigiare/task", nullptr, {{"Authorization", "Bearer sk-demo"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_found");
}

}  // namespace
}  // namespace tollgate::test
