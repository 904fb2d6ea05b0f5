// The quota ledger: each change all or nothing, with its log; and under
// concurrency N parallel billed requests charge exactly N amounts, quota
// never goes negative, no update is lost.
#include "mock-server/store/ledger.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "tests/mock-server/store/store_records.h"
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

class LedgerUnit : public ::testing::Test {
 protected:
  LedgerUnit() {
    accounts_.add(account(1, 1'000));
    accounts_.add(key(1, 1, 500, "demo"));
  }
  mock::LogPage logs(int type = 0) {
    mock::LogQuery q;
    q.type = type;
    return book_.page(1, q);
  }
  FakeClock clock_{1'767'225'600'000};
  mock::Accounts accounts_{clock_};
  mock::LogBook book_{clock_, 100};
  mock::Ledger ledger_{accounts_, book_};
};

mock::Charge charge_of(std::int64_t quota) {
  mock::Charge c;
  c.quota = quota;
  c.model = "gpt-4o-mini";
  c.prompt_tokens = 12;
  c.completion_tokens = 30;
  c.what = "chat completion";
  return c;
}

TEST_F(LedgerUnit, AChargeTakesFromKeyAndAccountAndLogsIt) {
  ASSERT_EQ(ledger_.charge(1, charge_of(200)), mock::ChargeResult::kCharged);
  const mock::ApiKey& k = *accounts_.key(1);
  EXPECT_EQ(k.remain_quota, 300);
  EXPECT_EQ(k.used_quota, 200);
  const mock::Account& a = *accounts_.account(1);
  EXPECT_EQ(a.quota, 800);
  EXPECT_EQ(a.used_quota, 200);
  EXPECT_EQ(a.request_count, 1);
  const auto page = logs(2);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].quota, 200);
  EXPECT_EQ(page.items[0].token_name, "demo");
  EXPECT_EQ(page.items[0].username, "demo");
  EXPECT_EQ(page.items[0].content, "chat completion: 12 prompt + 30 completion tokens, 200 quota");
}

TEST_F(LedgerUnit, AChargeEitherSideCannotCoverTakesNothing) {
  ASSERT_EQ(ledger_.charge(1, charge_of(501)), mock::ChargeResult::kInsufficientQuota) << "more than the key has";
  accounts_.key(1)->unlimited_quota = true;
  ASSERT_EQ(ledger_.charge(1, charge_of(1'001)), mock::ChargeResult::kInsufficientQuota)
      << "more than the account has, even for an unlimited key";
  const mock::ApiKey& k = *accounts_.key(1);
  EXPECT_EQ(k.remain_quota, 500);
  EXPECT_EQ(k.used_quota, 0);
  const mock::Account& a = *accounts_.account(1);
  EXPECT_EQ(a.quota, 1'000);
  EXPECT_EQ(a.used_quota, 0);
  EXPECT_EQ(a.request_count, 0);
  EXPECT_EQ(logs().total, 0) << "no log for a charge not made";
  EXPECT_EQ(ledger_.charge(9, charge_of(1)), mock::ChargeResult::kKeyGone);
}

TEST_F(LedgerUnit, TheLastOfTheQuotaExhaustsTheKey) {
  ASSERT_EQ(ledger_.charge(1, charge_of(500)), mock::ChargeResult::kCharged);
  EXPECT_EQ(accounts_.key(1)->remain_quota, 0);
  EXPECT_EQ(accounts_.key(1)->status, mock::KeyStatus::kExhausted);
  EXPECT_EQ(ledger_.charge(1, charge_of(1)), mock::ChargeResult::kInsufficientQuota);
}

TEST_F(LedgerUnit, ARefundGivesBackWhatTheTaskPaidAndEnablesTheKey) {
  ASSERT_EQ(ledger_.charge(1, charge_of(500)), mock::ChargeResult::kCharged);
  mock::Task t;
  t.id = "task_1";
  t.key_id = 1;
  t.account = 1;
  t.key_name = "demo";
  t.model = "gpt-image-1";
  t.quota = 500;
  t.fail_code = "CONTENT_VIOLATION";
  ledger_.refund(t);
  EXPECT_EQ(accounts_.key(1)->remain_quota, 500);
  EXPECT_EQ(accounts_.key(1)->used_quota, 0);
  EXPECT_EQ(accounts_.key(1)->status, mock::KeyStatus::kEnabled);
  EXPECT_EQ(accounts_.account(1)->quota, 1'000);
  const auto refunds = logs(6);
  ASSERT_EQ(refunds.total, 1);
  EXPECT_EQ(refunds.items[0].content, "refund of task task_1 (CONTENT_VIOLATION): 500 quota");
  // A deleted key's task still pays its account back.
  ASSERT_EQ(ledger_.charge(1, charge_of(100)), mock::ChargeResult::kCharged);
  ASSERT_TRUE(ledger_.delete_key(1, 1));
  t.quota = 100;
  ledger_.refund(t);
  EXPECT_EQ(accounts_.account(1)->quota, 1'000);
}

TEST_F(LedgerUnit, QuotaEditsAndDeletionsAreTheOwnersAndLogged) {
  accounts_.add(account(2, 1'000, "other"));
  EXPECT_FALSE(ledger_.set_quota(2, 1, 10, std::nullopt)) << "another account's key";
  EXPECT_FALSE(ledger_.delete_key(2, 1));
  EXPECT_EQ(logs().total, 0);
  ASSERT_EQ(ledger_.charge(1, charge_of(500)), mock::ChargeResult::kCharged);
  const auto refilled = ledger_.set_quota(1, 1, 50, std::nullopt);
  ASSERT_TRUE(refilled);
  EXPECT_EQ(refilled->remain_quota, 50);
  EXPECT_EQ(refilled->status, mock::KeyStatus::kEnabled) << "a refill enables an exhausted key";
  ASSERT_TRUE(ledger_.delete_key(1, 1));
  EXPECT_EQ(accounts_.key(1), nullptr);
  const auto manage = logs(3);
  ASSERT_EQ(manage.total, 2);
  EXPECT_EQ(manage.items[0].content, "deleted API key 'demo' (id 1)");
  EXPECT_EQ(manage.items[1].content, "set remain_quota of 'demo' from 0 to 50");
}

}  // namespace
}  // namespace tollgate::test
