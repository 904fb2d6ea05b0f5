// The quota ledger under concurrency: N parallel billed requests charge
// exactly N amounts, quota never goes negative, no update is lost.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

TEST(Ledger, ParallelClientsChargeExactly) {
  MockServer mock;
  const json body = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "count me"}}}}};
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer sk-demo"}};
  const auto user = [&] {
    return json::parse(mock.call("GET", "/aiapigiare/AiApiGiaRe/user", nullptr,
                                 {{"Authorization", "Bearer demo-access-key"}})
                           .body)["data"];
  };
  const json before = user();
  constexpr int kClients = 64;
  constexpr int kEach = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&] {
      TestClient client(mock.port());  // one keep-alive connection per client
      for (int i = 0; i < kEach; ++i)
        if (client.request("POST", "/aiproxy/v1/chat/completions", body.dump(), auth).status == 200) ++ok;
    });
  for (auto& t : clients) t.join();
  ASSERT_EQ(ok.load(), kClients * kEach);

  const json after = user();
  const json logs = json::parse(mock.call("GET", "/aiapigiare/AiApiGiaRe/logs?type=2&model_name=gpt-4o-mini", nullptr,
                                          {{"Authorization", "Bearer demo-access-key"}})
                                    .body)["data"];
  ASSERT_EQ(logs["total"], kClients * kEach);
  const std::int64_t each = logs["items"][0]["quota"];
  const std::int64_t spent = after["used_quota"].get<std::int64_t>() - before["used_quota"].get<std::int64_t>();
  EXPECT_EQ(spent, each * kClients * kEach);
  EXPECT_EQ(before["quota"].get<std::int64_t>() - after["quota"].get<std::int64_t>(), spent);
  EXPECT_EQ(after["request_count"].get<std::int64_t>() - before["request_count"].get<std::int64_t>(), kClients * kEach);
}

TEST(Ledger, RacingForTheLastQuotaNeverGoesNegative) {
  MockServer mock;
  const json body = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "race"}}}}};
  const std::map<std::string, std::string> admin = {{"Authorization", "Bearer demo-access-key"}};
  // Learn the price of one call, then give sk-empty room for exactly 10.
  mock.call("POST", "/aiproxy/v1/chat/completions", body, {{"Authorization", "Bearer sk-demo"}});
  const std::int64_t cost =
      json::parse(mock.call("GET", "/aiapigiare/AiApiGiaRe/logs?type=2", nullptr, admin).body)["data"]["items"][0]["quota"];
  mock.call("PUT", "/aiapigiare/AiApiGiaRe/editquota/2", {{"remain_quota", cost * 10}}, admin);

  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 64; ++c)
    clients.emplace_back([&] {
      const int status =
          mock.call("POST", "/aiproxy/v1/chat/completions", body, {{"Authorization", "Bearer sk-empty"}}).status;
      (status == 200 ? ok : refused)++;
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(refused.load(), 54);
  const json keys = json::parse(mock.call("GET", "/aiapigiare/AiApiGiaRe/apikeylist?keyword=empty", nullptr, admin).body)["data"];
  EXPECT_EQ(keys[0]["remain_quota"], 0);
  EXPECT_EQ(keys[0]["used_quota"], cost * 10);
  EXPECT_EQ(keys[0]["status"], 4);
}

}  // namespace
}  // namespace tollgate::test
