// The request pipeline every family shares, with a probe dialect that says
// which stage answered: the stages come in their order, the refusals carry
// what a client needs (Allow, Retry-After, X-RateLimit-*), and the family's
// choices (rate limit, rate headers) hold.
#include "mock-server/families/pipeline.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"
#include "tests/support/paths.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;
using test::FakeClock;

class Probe final : public Pipeline {
 public:
  Probe(MockContext& ctx, Dialect dialect)
      : Pipeline(ctx, std::move(dialect), {contract::Contract::load(test::spec("aiproxy.yaml"))}) {}

  net::HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return net::HttpResponse::json(status, {{"stage", "fault"}, {"message", message}});
  }
  std::string last_key;  ///< what the operation saw
  std::string last_operation;

 private:
  static net::HttpResponse stage(int status, const std::string& name) {
    return net::HttpResponse::json(status, {{"stage", name}});
  }
  net::HttpResponse no_route(const net::HttpRequest&, std::string_view) const override { return stage(404, "no_route"); }
  net::HttpResponse wrong_method(const net::HttpRequest&, std::string_view, const std::string&) const override {
    return stage(405, "wrong_method");
  }
  net::HttpResponse key_refused(const KeyAuth& auth, const std::string&) override {
    return stage(401, auth.problem == KeyProblem::kMissing ? "missing_key" : "bad_key");
  }
  net::HttpResponse over_rate(const RateDecision&) override { return stage(429, "over_rate"); }
  net::HttpResponse bad_request(const Problem& p) const override {
    return net::HttpResponse::json(400, {{"stage", "bad_request"}, {"param", p.param}});
  }
  net::HttpResponse operation(const Call& call) override {
    last_key = call.key().key;
    last_operation = call.operation();
    if (call.operation() == "createChatCompletion") {
      json body;
      if (auto refused = parse_body(call, body)) return *refused;
    }
    return stage(200, "operation");
  }
};

class PipelineTest : public ::testing::Test {
 protected:
  net::HttpResponse send(Probe& probe, const std::string& method, const std::string& target,
                         const std::string& key = "", const std::string& body = "") {
    net::HttpRequest r;
    r.method = method;
    r.target = target;
    r.path = target.substr(0, target.find('?'));
    if (target.find('?') != std::string::npos) r.query = target.substr(target.find('?') + 1);
    if (!key.empty()) r.headers.emplace_back("Authorization", "Bearer " + key);
    r.body = body;
    return probe.handle(r, r.path);
  }
  static std::string stage_of(const net::HttpResponse& r) { return json::parse(r.body).value("stage", ""); }
  static std::string header(const net::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  FakeClock clock_{1'767'225'600'000};
  MockContext ctx_{load_fixture(test::default_fixture().string()), clock_, LatencyMode::kFast};
  Probe limited_{ctx_, {"aiproxy", true, true}};
};

TEST_F(PipelineTest, UnknownPathsAndMethodsAreAnsweredBeforeAnyKeyIsLookedAt) {
  EXPECT_EQ(stage_of(send(limited_, "GET", "/v1/nothing")), "no_route");
  const auto wrong = send(limited_, "DELETE", "/v1/models");
  EXPECT_EQ(stage_of(wrong), "wrong_method");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(header(wrong, "Allow"), "GET");
}

TEST_F(PipelineTest, KeysAreCheckedBeforeParameters) {
  EXPECT_EQ(stage_of(send(limited_, "GET", "/v1/models?type=bogus")), "missing_key");
  EXPECT_EQ(stage_of(send(limited_, "GET", "/v1/models?type=bogus", "sk-nope")), "bad_key");
  const auto bad = send(limited_, "GET", "/v1/models?type=bogus", "sk-demo");
  EXPECT_EQ(stage_of(bad), "bad_request");
  EXPECT_EQ(json::parse(bad.body)["param"], "type");
  EXPECT_TRUE(limited_.last_operation.empty()) << "a bad parameter never reaches the operation";
  EXPECT_EQ(stage_of(send(limited_, "GET", "/v1/models?type=chat", "sk-demo")), "operation");
  EXPECT_EQ(limited_.last_key, "sk-demo");
  EXPECT_EQ(limited_.last_operation, "listModels");
}

TEST_F(PipelineTest, OverTheLimitComesBeforeParametersWithRetryAfterAndRateHeaders) {
  // sk-limited: 3 requests a minute; the pipeline adds the rate headers to every answer.
  for (const char* left : {"2", "1", "0"}) {
    const auto ok = send(limited_, "GET", "/v1/models", "sk-limited");
    EXPECT_EQ(stage_of(ok), "operation");
    EXPECT_EQ(header(ok, "X-RateLimit-Limit"), "3");
    EXPECT_EQ(header(ok, "X-RateLimit-Remaining"), left);
  }
  clock_.advance(std::chrono::seconds(20));
  const auto refused = send(limited_, "GET", "/v1/models?type=bogus", "sk-limited");
  EXPECT_EQ(stage_of(refused), "over_rate");
  EXPECT_EQ(refused.status, 429);
  // The first request leaves the window 60.1 s after it came: Reset is that
  // second rounded up, Retry-After the whole seconds from now until then.
  EXPECT_EQ(header(refused, "X-RateLimit-Reset"), std::to_string(clock_.now_s() - 20 + 61));
  EXPECT_EQ(header(refused, "Retry-After"), "41");
  EXPECT_EQ(header(refused, "X-RateLimit-Remaining"), "0");
}

TEST_F(PipelineTest, AFamilyWithoutARateLimitAdmitsEverythingAndAddsNoRateHeaders) {
  Probe open(ctx_, {"aiproxy", false, false});
  for (int i = 0; i < 10; ++i) {
    const auto r = send(open, "GET", "/v1/models", "sk-limited");
    ASSERT_EQ(stage_of(r), "operation") << i;
    EXPECT_EQ(header(r, "X-RateLimit-Limit"), "");
  }
}

TEST_F(PipelineTest, ABodyThatBreaksTheContractIsTheFamilysBadRequest) {
  const auto r = send(limited_, "POST", "/v1/chat/completions", "sk-demo", R"({"model": "gpt-4o-mini"})");
  EXPECT_EQ(stage_of(r), "bad_request");
  EXPECT_EQ(json::parse(r.body)["param"], "messages");
  EXPECT_EQ(header(r, "X-RateLimit-Limit"), "1000000") << "past the rate limit, so the headers are there";
}

TEST_F(PipelineTest, RetryAfterIsAtLeastOneSecond) {
  RateDecision rate;
  rate.limit = 5;
  rate.reset_s = clock_.now_s();  // already due
  const auto r = rate_limited(net::HttpResponse::json(429, json::object()), rate, clock_);
  EXPECT_EQ(header(r, "Retry-After"), "1");
  EXPECT_EQ(header(r, "X-RateLimit-Reset"), std::to_string(clock_.now_s()));
}

}  // namespace
}  // namespace tollgate::mock
