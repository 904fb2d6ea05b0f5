// Smaller versions of a failing case: each one re-validated, so that a
// shrunk negative breaks the same rule and a shrunk positive stays valid.
#include "harness/probe/shrink.h"

#include <gtest/gtest.h>

#include "common/text.h"

namespace tollgate::probe {
namespace {

using nlohmann::json;

const char* const kOrders = R"(openapi: 3.0.3
info: {title: Orders, version: "1"}
paths:
  /orders:
    post:
      operationId: placeOrder
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [sku, lines]
              properties:
                sku: {type: string, enum: [ABC]}
                note: {type: string}
                gift: {type: boolean}
                lines: {type: array, minItems: 1, items: {type: integer}}
                address:
                  type: object
                  required: [city]
                  properties:
                    city: {type: string}
                    zip: {type: string}
      responses:
        '201': {description: placed}
        '400': {description: not an order}
)";

Case order(CaseKind kind, const json& body) {
  static const auto c = contract::Contract::parse(kOrders, "orders.yaml");
  Case k;
  k.kind = kind;
  k.op = c->find("placeOrder");
  k.method = "POST";
  k.path = "/orders";
  k.body = body.dump();
  return k;
}

TEST(ProbeShrink, CandidatesKeepWhatTheCaseIsAndGetSmaller) {
  const auto c = contract::Contract::parse(kOrders, "orders.yaml");
  const json full = {{"sku", "ABC"}, {"note", "hello"}, {"gift", true}, {"lines", {1, 2, 3}},
                     {"address", {{"city", "Oslo"}, {"zip", "0150"}}}};
  // A positive: every candidate still valid, none without a required part.
  const auto positive = shrink_candidates(*c, order(CaseKind::kPositive, full));
  ASSERT_FALSE(positive.empty());
  std::size_t last = 0;
  for (const auto& k : positive) {
    EXPECT_TRUE(c->validate_request(*k.op, "application/json", json::parse(*k.body)).empty()) << *k.body;
    EXPECT_LT(k.body->size(), order(CaseKind::kPositive, full).body->size());
    EXPECT_GE(k.body->size(), last);  // smallest first
    last = k.body->size();
  }
  bool cut = false, nested = false;
  for (const auto& k : positive) {
    const json b = json::parse(*k.body);
    cut |= b["lines"].size() == 1;
    nested |= b.contains("address") && !b["address"].contains("zip");
  }
  EXPECT_TRUE(cut);
  EXPECT_TRUE(nested);
  // A negative (sku outside its enum): still that, and only that.
  json bad = full;
  bad["sku"] = "XYZ";
  const auto negative = shrink_candidates(*c, order(CaseKind::kNegative, bad));
  ASSERT_FALSE(negative.empty());
  for (const auto& k : negative) {
    const auto v = c->validate_request(*k.op, "application/json", json::parse(*k.body));
    ASSERT_EQ(v.size(), 1u) << *k.body;
    EXPECT_EQ(v[0].instance_pointer, "/sku") << *k.body;
    EXPECT_TRUE(json::parse(*k.body).contains("sku")) << "the broken rule was shrunk away: " << *k.body;
  }
  // Nothing to shrink: no body, not an object, a chain's step.
  EXPECT_TRUE(shrink_candidates(*c, order(CaseKind::kNegative, json::array({1}))).empty());
  Case chain = order(CaseKind::kChain, full);
  chain.chain = 1;
  EXPECT_TRUE(shrink_candidates(*c, chain).empty());
  EXPECT_LE(shrink_candidates(*c, order(CaseKind::kPositive, full), 2).size(), 2u);
}

TEST(ProbeShrink, SeedsHashTheSameEverywhere) {
  // FNV-1a's published test values: what a baseline's seed gives does not
  // depend on the standard library.
  EXPECT_EQ(fnv1a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a("foobar"), 0x85944171f73967e8ull);
}

}  // namespace
}  // namespace tollgate::probe
