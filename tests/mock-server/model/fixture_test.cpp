#include "mock-server/model/fixture.h"

#include <gtest/gtest.h>

#include "common/source_error.h"
#include "tests/support/paths.h"

namespace tollgate::mock {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_fixture(text, "f.yaml");
  } catch (const SourceError& e) {
    return e.what();
  }
  return "no error";
}

constexpr const char* kMinimal = R"(version: 1
accounts:
  - {id: 1, username: a, access_key: ak}
keys:
  - {id: 1, account: 1, key: k, name: n, families: [aiproxy]}
models:
  - {id: m, provider: openai, type: chat}
)";

TEST(Fixture, TheDefaultFixtureHasTheDemoCredentials) {
  const Fixture f = load_fixture(test::default_fixture().string());
  std::map<std::string, const KeySpec*> keys;
  for (const auto& k : f.keys) keys[k.key] = &k;
  for (const char* key : {"sk-demo", "aimichat_demo", "apixo-demo", "sk-empty", "sk-expired", "sk-disabled"})
    EXPECT_TRUE(keys.count(key)) << key;
  EXPECT_EQ(keys["sk-empty"]->remain_quota, 0);
  EXPECT_LT(keys["sk-expired"]->expired_time, 1'700'000'000);
  EXPECT_EQ(keys["sk-disabled"]->status, KeyStatus::kDisabled);
  EXPECT_EQ(f.accounts.front().access_key, "demo-access-key");
}

TEST(Fixture, MinimalFixtureGetsDefaults) {
  const Fixture f = parse_fixture(kMinimal, "f.yaml");
  EXPECT_EQ(f.keys[0].rate_limit_per_minute, 1000);
  EXPECT_EQ(f.keys[0].expired_time, -1);
  EXPECT_EQ(f.models[0].upstreams, std::vector<std::string>{"openai"});
}

TEST(Fixture, AModelsCapacity) {
  std::string text = kMinimal;
  text.replace(text.find("type: chat}"), 11, "type: chat, capacity: {concurrency: 32, queue: 64, refuse: 503}}");
  const Fixture f = parse_fixture(text, "f.yaml");
  EXPECT_EQ(f.models[0].capacity.concurrency, 32);
  EXPECT_EQ(f.models[0].capacity.queue, 64);
  EXPECT_EQ(f.models[0].capacity.refuse, 503);
  EXPECT_EQ(parse_fixture(kMinimal, "f.yaml").models[0].capacity.concurrency, 0);  // unlimited
  std::string bad = kMinimal;
  bad.replace(bad.find("type: chat}"), 11, "type: chat, capacity: {concurrency: 4, refuse: 500}}");
  const std::string e = error_of(bad);
  EXPECT_NE(e.find("f.yaml:7:"), std::string::npos) << e;
  EXPECT_NE(e.find("refuse"), std::string::npos) << e;
}

TEST(Fixture, MistakesNameTheirPlace) {
  std::string typo = kMinimal;
  typo.replace(typo.find("access_key"), 10, "acess_key");
  const std::string e1 = error_of(typo);
  EXPECT_NE(e1.find("f.yaml:3:"), std::string::npos) << e1;
  EXPECT_NE(e1.find("'acess_key' is not allowed"), std::string::npos) << e1;

  std::string wrong_type = kMinimal;
  wrong_type.replace(wrong_type.find("id: 1, account"), 5, "id: x");
  const std::string e2 = error_of(wrong_type);
  EXPECT_NE(e2.find("f.yaml:5:"), std::string::npos) << e2;
  EXPECT_NE(e2.find("expected integer, got string"), std::string::npos) << e2;

  std::string orphan = kMinimal;
  orphan.replace(orphan.find("account: 1"), 10, "account: 7");
  EXPECT_NE(error_of(orphan).find("names account 7"), std::string::npos);

  EXPECT_NE(error_of("version: 1\naccounts: []\nkeys: []\n").find("missing required property 'models'"),
            std::string::npos);
}

}  // namespace
}  // namespace tollgate::mock
