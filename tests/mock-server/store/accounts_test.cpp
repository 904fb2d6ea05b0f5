// Accounts and keys: lookups, and authentication with the lazy status
// moves a user sees (expired past expired_time, exhausted at no quota).
#include "mock-server/store/accounts.h"

#include <gtest/gtest.h>

#include "tests/mock-server/store/store_records.h"
#include "tests/support/fake_clock.h"

namespace tollgate::mock {
namespace {

using test::FakeClock;

class AccountsTest : public ::testing::Test {
 protected:
  AccountsTest() {
    accounts_.add(test::account(1, 1000));
    accounts_.add(test::account(2, 1000, "other"));
    accounts_.add(test::key(1, 1, 500, "live"));
    ApiKey expiring = test::key(2, 1, 500, "expiring");
    expiring.expired_time = clock_.now_s() + 10;
    accounts_.add(expiring);
    accounts_.add(test::key(3, 1, 0, "empty"));
    ApiKey disabled = test::key(4, 1, 500, "disabled");
    disabled.status = KeyStatus::kDisabled;
    accounts_.add(disabled);
    accounts_.add(test::key(5, 2, 500, "theirs"));
  }
  FakeClock clock_{1'767'225'600'000};
  Accounts accounts_{clock_};
};

TEST_F(AccountsTest, AuthenticateSaysWhatIsWrongWithAKey) {
  EXPECT_EQ(accounts_.authenticate("", "aiproxy").problem, KeyProblem::kMissing);
  EXPECT_EQ(accounts_.authenticate("sk-nope", "aiproxy").problem, KeyProblem::kUnknown);
  EXPECT_EQ(accounts_.authenticate("sk-live", "apixo").problem, KeyProblem::kWrongFamily);
  EXPECT_EQ(accounts_.authenticate("sk-disabled", "aiproxy").problem, KeyProblem::kDisabled);
  const KeyAuth ok = accounts_.authenticate("sk-live", "aiproxy");
  EXPECT_EQ(ok.problem, KeyProblem::kNone);
  EXPECT_EQ(ok.key.id, 1);
  EXPECT_EQ(ok.username, "demo");
  EXPECT_EQ(accounts_.key(1)->accessed_time, clock_.now_s()) << "the access is noted";
}

TEST_F(AccountsTest, StatusMovesLazilyWithTheClockAndTheQuota) {
  EXPECT_EQ(accounts_.authenticate("sk-expiring", "aiproxy").problem, KeyProblem::kNone);
  EXPECT_EQ(accounts_.key(2)->status, KeyStatus::kEnabled);
  clock_.advance(std::chrono::seconds(11));
  EXPECT_EQ(accounts_.key(2)->status, KeyStatus::kEnabled) << "nothing moves until the key is looked at";
  EXPECT_EQ(accounts_.authenticate("sk-expiring", "aiproxy").problem, KeyProblem::kExpired);
  EXPECT_EQ(accounts_.key(2)->status, KeyStatus::kExpired);
  EXPECT_EQ(accounts_.authenticate("sk-empty", "aiproxy").problem, KeyProblem::kExhausted);
  EXPECT_EQ(accounts_.key(3)->status, KeyStatus::kExhausted);
}

TEST_F(AccountsTest, KeyListsShowTheStatusAsOfNowWithoutMovingIt) {
  const auto keys = accounts_.keys_of(1, "");
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys[2].name, "empty");
  EXPECT_EQ(keys[2].status, KeyStatus::kExhausted);
  EXPECT_EQ(accounts_.key(3)->status, KeyStatus::kEnabled);
  const auto some = accounts_.keys_of(1, "xp");
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].name, "expiring");
  EXPECT_TRUE(accounts_.keys_of(3, "").empty());
}

TEST_F(AccountsTest, AnotherAccountsKeyIsNotFound) {
  EXPECT_NE(accounts_.key_of(2, 5), nullptr);
  EXPECT_EQ(accounts_.key_of(1, 5), nullptr);
  EXPECT_EQ(accounts_.by_access_key("other-access-key")->id, 2);
  EXPECT_EQ(accounts_.by_access_key(""), nullptr);
  EXPECT_EQ(accounts_.by_access_key("sk-live"), nullptr);
}

TEST_F(AccountsTest, ARemovedKeyIsUnknown) {
  EXPECT_TRUE(accounts_.remove(1));
  EXPECT_FALSE(accounts_.remove(1));
  EXPECT_EQ(accounts_.authenticate("sk-live", "aiproxy").problem, KeyProblem::kUnknown);
  EXPECT_EQ(accounts_.key(1), nullptr);
}

}  // namespace
}  // namespace tollgate::mock
