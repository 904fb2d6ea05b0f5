// probe::generate_cases on a contract in memory: what each kind of case
// is, that every negative really breaks its contract and every positive
// keeps it, and the options that choose operations.
#include "harness/probe/cases.h"

#include <gtest/gtest.h>

#include "tests/support/paths.h"

namespace tollgate::probe {
namespace {

using nlohmann::json;

const char* const kShop = R"(openapi: 3.0.3
info: {title: Shop, version: "1"}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Shop-Key}
  schemas:
    Order:
      type: object
      required: [sku, quantity]
      properties:
        sku: {type: string, pattern: '^[A-Z]{3}-[0-9]{3}$', example: ABC-123}
        quantity: {type: integer, minimum: 1, maximum: 10}
        gift: {type: boolean}
        note: {type: string, maxLength: 40}
        ship_by: {type: string, format: date}
        wrapping:
          type: array
          maxItems: 3
          items: {type: string, enum: [plain, glossy]}
        address:
          type: object
          required: [city]
          properties:
            city: {type: string, minLength: 2}
paths:
  /orders:
    post:
      operationId: placeOrder
      tags: [orders]
      security: [{key: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Order'}
      responses:
        '201': {description: placed}
        '400': {description: not an order}
        '401': {description: no key}
    get:
      operationId: listOrders
      tags: [orders]
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 1, maximum: 50}}
        - {name: status, in: query, schema: {type: string, enum: [open, shipped]}}
      responses:
        '200': {description: the orders}
        '400': {description: bad query}
  /orders/{order_id}:
    delete:
      operationId: cancelOrder
      parameters:
        - {name: order_id, in: path, required: true, schema: {type: integer}}
      responses:
        '204': {description: cancelled}
        '404': {description: no such order}
)";

std::shared_ptr<const contract::Contract> shop() { return contract::Contract::parse(kShop, "shop.yaml"); }

std::vector<const Case*> of(const CaseSet& set, CaseKind kind, const std::string& op = "") {
  std::vector<const Case*> out;
  for (const auto& k : set.cases)
    if (k.kind == kind && (op.empty() || (k.op && k.op->id == op))) out.push_back(&k);
  return out;
}

TEST(ProbeCases, NegativesBreakTheirContractAndPositivesKeepIt) {
  const auto c = shop();
  const CaseSet set = generate_cases(*c, {});
  const auto& op = *c->find("placeOrder");
  const auto positives = of(set, CaseKind::kPositive, "placeOrder");
  ASSERT_FALSE(positives.empty());
  for (const auto* k : positives) {
    const json body = json::parse(*k->body);
    EXPECT_TRUE(c->validate_request(op, "application/json", body).empty()) << k->name << ": " << *k->body;
    EXPECT_EQ(k->expect.front(), 200);  // 2xx ...
    EXPECT_EQ(std::count(k->expect.begin(), k->expect.end(), 400), 0);  // ... and never a refusal of the input
    EXPECT_EQ(std::count(k->expect.begin(), k->expect.end(), 401), 0);
  }
  const auto negatives = of(set, CaseKind::kNegative, "placeOrder");
  std::set<std::string> rules;
  for (const auto* k : negatives) {
    rules.insert(k->name.substr(k->name.find(": ") + 2));
    EXPECT_EQ(k->expect.front(), 400) << k->name;
    if (k->name.find("not JSON") != std::string::npos || k->name.find("Content-Type") != std::string::npos) continue;
    const json body = json::parse(*k->body);
    EXPECT_FALSE(c->validate_request(op, "application/json", body).empty()) << k->name << " is valid: " << *k->body;
  }
  for (const char* rule : {"body /sku: required, left out", "body /quantity: below minimum 1", "body /quantity: above maximum 10",
                           "body /quantity: wrong type (string)", "body /note: longer than maxLength 40",
                           "body /address/city: required, left out", "body /address/city: shorter than minLength 2",
                           "body /: an array, not an object", "body is not JSON", "Content-Type text/plain (undocumented)",
                           "body /gift: null (not nullable)", "body /ship_by: not a date (format)",
                           "body /wrapping: more items than maxItems 3", "body /wrapping/0: not one of its enum"})
    EXPECT_TRUE(rules.count(rule)) << "no negative case '" << rule << "'";
  // Positives at the edges of what is allowed, each valid.
  std::set<std::string> edges;
  for (const auto* k : positives)
    if (k->name.find(": edge ") != std::string::npos) edges.insert(k->name.substr(k->name.find(": edge ") + 7));
  for (const char* edge : {"/quantity at its minimum 1", "/quantity at its maximum 10", "/note at its maxLength 40",
                           "/address/city at its minLength 2", "/wrapping empty", "/wrapping at its maxItems 3"})
    EXPECT_TRUE(edges.count(edge)) << "no edge case '" << edge << "'";
  // An array's first item at its edges too: the other enum value.
  EXPECT_TRUE(std::any_of(edges.begin(), edges.end(), [](const std::string& e) { return e.rfind("/wrapping/0 = ", 0) == 0; }));
  // The schema's example is what a generated sku holds (a made-up one
  // would rarely meet the pattern).
  EXPECT_NE(positives.front()->body->find("ABC-123"), std::string::npos) << *positives.front()->body;
}

TEST(ProbeCases, ParametersQueryAuthAndMethodCases) {
  const auto c = shop();
  const CaseSet set = generate_cases(*c, {});
  // A required query parameter is always sent with valid cases, and left
  // out or broken by negative ones.
  for (const auto* k : of(set, CaseKind::kPositive, "listOrders"))
    EXPECT_TRUE(std::any_of(k->query.begin(), k->query.end(), [](const auto& q) { return q.first == "limit"; })) << k->name;
  std::set<std::string> names;
  for (const auto* k : of(set, CaseKind::kNegative, "listOrders")) names.insert(k->name);
  EXPECT_TRUE(names.count("listOrders negative: query parameter 'limit' missing"));
  EXPECT_TRUE(std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.find("'status' = ") != std::string::npos; }));
  // Auth only where the contract asks for credentials; 401 as documented:
  // none, then a wrong one where the security scheme puts it.
  const auto auth = of(set, CaseKind::kAuth);
  ASSERT_EQ(auth.size(), 2u);
  for (const auto* k : auth) {
    EXPECT_EQ(k->op->id, "placeOrder");
    EXPECT_TRUE(k->without_credentials);
    EXPECT_EQ(k->expect, std::vector<int>{401});
  }
  EXPECT_EQ(auth[0]->name, "placeOrder auth: no credentials");
  EXPECT_EQ(auth[1]->name, "placeOrder auth: wrong credential (X-Shop-Key)");
  const auto wrong = std::find_if(auth[1]->headers.begin(), auth[1]->headers.end(),
                                  [](const auto& h) { return h.first == "X-Shop-Key"; });
  ASSERT_NE(wrong, auth[1]->headers.end());
  EXPECT_EQ(wrong->second, "tollgate-probe-wrong-credential");
  // One undocumented method per path: 405, outside the contract.
  const auto methods = of(set, CaseKind::kMethod);
  ASSERT_EQ(methods.size(), 2u);
  for (const auto* k : methods) {
    EXPECT_EQ(k->expect, std::vector<int>{405});
    EXPECT_FALSE(k->contract);
  }
  // A path parameter that names a resource: made up, so "not found" passes a valid case.
  const auto cancel = of(set, CaseKind::kPositive, "cancelOrder");
  ASSERT_FALSE(cancel.empty());
  EXPECT_NE(std::find(cancel[0]->expect.begin(), cancel[0]->expect.end(), 404), cancel[0]->expect.end());
}

// A contract's bytes need not be UTF-8: a value sent is the value with
// those replaced, and the sent one is what must be valid (fuzz finding).
TEST(ProbeCases, WhatIsJudgedIsWhatIsSentEvenForBytesThatAreNotUtf8) {
  std::string text = kShop;
  const std::string from = "        gift: {type: boolean}\n";
  text.replace(text.find(from), from.size(), from + "        wrap: {type: string, enum: [plain, gl\xffossy]}\n");
  const auto c = contract::Contract::parse(text, "shop.yaml");
  const auto& op = *c->find("placeOrder");
  CaseOptions o;
  o.max_examples = 20;
  int checked = 0;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    o.seed = seed;
    for (const auto& k : generate_cases(*c, o).cases) {
      if (!k.op || k.op->id != "placeOrder" || k.kind != CaseKind::kPositive) continue;
      const json sent = json::parse(*k.body);
      EXPECT_TRUE(c->validate_request(op, "application/json", sent).empty()) << *k.body;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

// Chains inferred from AIProxy's contract: POST /v1/responses answers an
// `id`, GET and DELETE /v1/responses/{response_id} take one.
TEST(ProbeCases, ACreatedResponseIsReadDeletedAndThenGone) {
  const auto c = contract::Contract::load(test::spec("aiproxy.yaml"));
  const CaseSet set = generate_cases(*c, {});
  std::vector<const Case*> chain;
  for (const auto& k : set.cases)
    if (k.kind == CaseKind::kChain) chain.push_back(&k);
  ASSERT_EQ(chain.size(), 4u);
  EXPECT_EQ(chain[0]->op->id, "createResponse");
  EXPECT_EQ(chain[0]->extract_pointer, "/id");
  EXPECT_FALSE(chain[0]->asks_stream);  // the id is read from a JSON answer
  const char* ops[] = {"createResponse", "getResponse", "deleteResponse", "getResponse"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(chain[i]->op->id, ops[i]);
    EXPECT_EQ(chain[i]->chain, chain[0]->chain);
    EXPECT_EQ(chain[i]->templated, i > 0);
    if (i > 0) {
      EXPECT_EQ(chain[i]->path, "/v1/responses/{{ref}}");
    }
  }
  EXPECT_EQ(chain[1]->expect.back(), 299);  // created: readable
  EXPECT_EQ(chain[3]->expect, std::vector<int>{404});  // deleted: gone
  CaseOptions no_chains;
  no_chains.kinds = {CaseKind::kPositive};
  for (const auto& k : generate_cases(*c, no_chains).cases) EXPECT_EQ(k.kind, CaseKind::kPositive);
}

TEST(ProbeCases, WhatNamesAResource) {
  for (const char* yes : {"id", "ID", "task_id", "taskId", "previousResponseId", "key-id"}) EXPECT_TRUE(is_reference(yes)) << yes;
  for (const char* no : {"valid", "uuid", "paid", "grid", "idle", "Id", "_id"}) EXPECT_FALSE(is_reference(no)) << no;
}

TEST(ProbeCases, OptionsChooseOperationsAndTheSeedTheValues) {
  const auto c = shop();
  CaseOptions only;
  only.operations = {"listOrders"};
  for (const auto& k : generate_cases(*c, only).cases) EXPECT_EQ(k.op->path, "/orders") << k.name;
  CaseOptions safe;
  safe.destructive = false;
  for (const auto& k : generate_cases(*c, safe).cases) {
    EXPECT_NE(k.method, "DELETE") << k.name;
    EXPECT_NE(k.method, "PUT") << k.name;
    EXPECT_NE(k.method, "PATCH") << k.name;
  }
  CaseOptions tagged;
  tagged.tags = {"orders"};
  for (const auto& k : generate_cases(*c, tagged).cases) EXPECT_NE(k.op->id, "cancelOrder") << k.name;
  CaseOptions excluded;
  excluded.exclude_operations = {"placeOrder"};
  for (const auto& k : generate_cases(*c, excluded).cases)
    if (k.kind != CaseKind::kMethod) {
      EXPECT_NE(k.op->id, "placeOrder") << k.name;
    }

  auto bodies = [&](std::uint64_t seed) {
    CaseOptions o;
    o.seed = seed;
    std::vector<std::string> out;
    for (const auto& k : generate_cases(*c, o).cases) out.push_back(k.name + " " + k.path + " " + k.body.value_or(""));
    return out;
  };
  EXPECT_EQ(bodies(1), bodies(1));
  EXPECT_NE(bodies(1), bodies(2));
  // Names are unique: a failure names one case.
  std::set<std::string> names;
  for (const auto& k : generate_cases(*c, {}).cases) EXPECT_TRUE(names.insert(k.name).second) << k.name;
}

}  // namespace
}  // namespace tollgate::probe
