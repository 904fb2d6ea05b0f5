#include <gtest/gtest.h>

#include "contract/contract.h"
#include "contract/lint.h"
#include "tests/support/paths.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

class Validation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    proxy_ = Contract::load(test::spec("aiproxy.yaml"));
    apixo_ = Contract::load(test::spec("apixo.yaml"));
    system_ = Contract::load(test::spec("aiapigiare-system.yaml"));
    media_ = Contract::load(test::spec("aiapigiare-media.yaml"));
    chat_ = Contract::load(test::spec("aimichat.yaml"));
  }

  static std::vector<Violation> response(const std::shared_ptr<const Contract>& c, const char* op, int status,
                                         const json& body) {
    return c->validate_response(*c->find(op), status, "application/json", &body);
  }

  static json completion() {
    return json::parse(R"({"id":"chatcmpl-1","object":"chat.completion","created":1699000000,"model":"gpt-4-turbo",
      "provider":"openai","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
      "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})");
  }

  static inline std::shared_ptr<const Contract> proxy_, apixo_, system_, media_, chat_;
};

TEST_F(Validation, AConformantBodyPasses) { EXPECT_TRUE(response(proxy_, "createChatCompletion", 200, completion()).empty()); }

TEST_F(Validation, ExtraFieldsAreAllowedInResponses) {
  json body = completion();
  body["system_fingerprint"] = "fp_123";
  body["choices"][0]["logprobs"] = nullptr;
  EXPECT_TRUE(response(proxy_, "createChatCompletion", 200, body).empty());
}

TEST_F(Validation, MissingRequiredFieldNamesTheObjectAndTheRule) {
  json body = completion();
  body["usage"].erase("total_tokens");
  const auto v = response(proxy_, "createChatCompletion", 200, body);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/usage");
  EXPECT_EQ(v[0].schema_pointer, "aiproxy.yaml#/components/schemas/Usage/required");
  EXPECT_EQ(v[0].message, "missing required property 'total_tokens'");
}

TEST_F(Validation, WrongTypeNamesTheField) {
  json body = completion();
  body["choices"][0]["index"] = "0";
  const auto v = response(proxy_, "createChatCompletion", 200, body);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/choices/0/index");
  EXPECT_EQ(v[0].schema_pointer,
            "aiproxy.yaml#/components/schemas/ChatCompletion/properties/choices/items/properties/index/type");
  EXPECT_EQ(v[0].message, "expected integer, got string");
}

TEST_F(Validation, NullWhereNotNullable) {
  json body = completion();
  body["choices"][0]["finish_reason"] = nullptr;  // only chunks may carry null
  const auto v = response(proxy_, "createChatCompletion", 200, body);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/choices/0/finish_reason");
  EXPECT_NE(v[0].message.find("not nullable"), std::string::npos);

  // A nullable field accepts null: the error object's param and code.
  const json error = {{"error", {{"message", "bad"}, {"type", "invalid_request_error"}, {"param", nullptr}, {"code", nullptr}}}};
  EXPECT_TRUE(response(proxy_, "createChatCompletion", 400, error).empty());
}

TEST_F(Validation, EnumAndIntegerValuesAreChecked) {
  json body = completion();
  body["choices"][0]["finish_reason"] = "done";
  auto v = response(proxy_, "createChatCompletion", 200, body);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].message.starts_with(R"("done" is not one of ["stop","length","tool_calls","content_filter")"))
      << v[0].message;
  body = completion();
  body["usage"]["prompt_tokens"] = 3.0;  // a whole number is an integer
  EXPECT_TRUE(response(proxy_, "createChatCompletion", 200, body).empty());
  body["usage"]["prompt_tokens"] = 3.5;
  EXPECT_EQ(response(proxy_, "createChatCompletion", 200, body).size(), 1u);
}

TEST_F(Validation, UndocumentedStatusIsAViolation) {
  const auto v = response(proxy_, "listModels", 418, json::object());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "status 418 is not documented for listModels (documented: 200, 400, 401, 429, 500)");
  EXPECT_EQ(v[0].schema_pointer, "aiproxy.yaml#/paths/~1v1~1models/get/responses");
}

TEST_F(Validation, UndocumentedContentTypeIsAViolation) {
  const json body = completion();
  const auto v = proxy_->validate_response(*proxy_->find("createChatCompletion"), 200, "text/html", &body);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].message.find("content type 'text/html' is not documented"), std::string::npos);
  EXPECT_TRUE(proxy_->validate_response(*proxy_->find("createChatCompletion"), 200,
                                        "application/json; charset=utf-8", &body)
                  .empty());
}

TEST_F(Validation, RequiredResponseHeadersAreChecked) {
  const Operation& op = *proxy_->find("listModels");
  const json body = {{"object", "list"}, {"data", json::array()}};
  std::map<std::string, std::string> headers = {
      {"x-ratelimit-limit", "1000"}, {"x-ratelimit-remaining", "999"}, {"x-ratelimit-reset", "1699000000"}};
  EXPECT_TRUE(proxy_->validate_response(op, 200, "application/json", &body, &headers).empty());
  headers.erase("x-ratelimit-remaining");
  headers["x-ratelimit-limit"] = "lots";
  const auto v = proxy_->validate_response(op, 200, "application/json", &body, &headers);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_NE(v[0].message.find("header 'X-RateLimit-Limit': expected integer"), std::string::npos) << v[0].message;
  EXPECT_EQ(v[1].message, "missing required header 'X-RateLimit-Remaining' on status 200 of listModels");
}

TEST_F(Validation, DiscriminatorPicksTheShapeByState) {
  json ok = json::parse(R"({"code":200,"message":"success","data":{"taskId":"t1","state":"success",
    "resultJson":"{}","createTime":1,"completeTime":2,"costTime":1}})");
  EXPECT_TRUE(response(apixo_, "getTaskStatus", 200, ok).empty());

  ok["data"].erase("resultJson");  // a success without its result
  auto v = response(apixo_, "getTaskStatus", 200, ok);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/data");
  EXPECT_EQ(v[0].schema_pointer, "apixo.yaml#/components/schemas/TaskSuccess/required");
  EXPECT_EQ(v[0].message, "missing required property 'resultJson'");

  ok["data"]["state"] = "exploded";
  v = response(apixo_, "getTaskStatus", 200, ok);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/data/state");
  EXPECT_EQ(v[0].schema_pointer, "apixo.yaml#/components/schemas/TaskStatus/discriminator");
  EXPECT_NE(v[0].message.find("\"exploded\" is not one of [failed, pending, processing, success]"), std::string::npos)
      << v[0].message;
}

TEST_F(Validation, OneOfWithoutDiscriminatorExplainsTheClosestMember) {
  const Operation& op = *proxy_->find("createCompletion");
  auto v = proxy_->validate_request(op, "application/json", json{{"model", "m"}, {"prompt", {"a", 2}}});
  ASSERT_GE(v.size(), 2u);
  EXPECT_EQ(v[0].instance_pointer, "/prompt");
  EXPECT_EQ(v[0].message, "matches none of the 2 schemas in oneOf");
  EXPECT_EQ(v[1].instance_pointer, "/prompt/1");
  EXPECT_EQ(v[1].message, "expected string, got integer");
  EXPECT_TRUE(proxy_->validate_request(op, "application/json", json{{"model", "m"}, {"prompt", {"a", "b"}}}).empty());
}

TEST_F(Validation, ErrorBodiesOfEachFamily) {
  // Apixo: data must be null on errors.
  EXPECT_TRUE(response(apixo_, "generateTask", 400, {{"code", 400}, {"message", "Insufficient credits"}, {"data", nullptr}}).empty());
  auto v = response(apixo_, "generateTask", 400, {{"code", 400}, {"message", "x"}, {"data", json::object()}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/data");
  // aiapigiare: success must be false on errors.
  v = response(system_, "getUser", 401, {{"success", true}, {"message", "x"}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/success");
  // AimiChat: the credit-limit body needs limit, used and an RFC 3339 resetAt.
  v = response(chat_, "createChatCompletion", 429,
               {{"error", "Rate limit exceeded"}, {"message", "Daily credit limit reached"}, {"limit", 100}, {"used", 100},
                {"resetAt", "tomorrow"}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/resetAt");
  EXPECT_EQ(v[0].schema_pointer, "aimichat.yaml#/components/schemas/CreditLimitError/properties/resetAt/format");
}

TEST_F(Validation, FormatsThatMatter) {
  auto key = json::parse(R"({"success":true,"message":"","data":[{"id":1,"key":"sk-***","name":"n","status":1,
    "remain_quota":9223372036854775807,"unlimited_quota":false,"used_quota":0,"expired_time":-1}]})");
  EXPECT_TRUE(response(system_, "listApiKeys", 200, key).empty());
  key["data"][0]["remain_quota"] = 9223372036854775808u;  // one past int64
  auto v = response(system_, "listApiKeys", 200, key);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/data/0/remain_quota");
  EXPECT_NE(v[0].message.find("does not fit format int64"), std::string::npos);

  auto task = json::parse(R"({"task_id":"t","status":"completed","model":"m","created_at":1,
    "result":{"url":"https://cdn.example/x.png","content_type":"image/png","source":"official"}})");
  EXPECT_TRUE(response(media_, "getTask", 200, task).empty());
  task["result"]["url"] = "not a url";
  v = response(media_, "getTask", 200, task);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/result/url");
  EXPECT_NE(v[0].message.find("not an absolute URI"), std::string::npos);
}

TEST_F(Validation, HugeValuesAreCheckedWithoutBlowingTheStack) {
  // Formats and patterns meet megabyte strings in real responses (base64
  // embeddings); std::regex would recurse per character.
  auto task = json::parse(R"({"task_id":"t","status":"completed","model":"m","created_at":1,
    "result":{"url":"","content_type":"image/png","source":"official"}})");
  task["result"]["url"] = "https://cdn.example/" + std::string(1 << 20, 'a');
  EXPECT_TRUE(response(media_, "getTask", 200, task).empty());
  task["result"]["url"] = std::string(1 << 20, 'a');
  EXPECT_EQ(response(media_, "getTask", 200, task).size(), 1u);
  json embeddings = json::parse(R"({"object":"list","model":"m","usage":{"prompt_tokens":1,"total_tokens":1},
    "data":[{"object":"embedding","index":0,"embedding":""}]})");
  embeddings["data"][0]["embedding"] = std::string(1 << 20, 'A');
  EXPECT_TRUE(response(proxy_, "createEmbedding", 200, embeddings).empty());
  json chat429 = {{"error", "x"}, {"message", "y"}, {"limit", 1}, {"used", 1},
                  {"resetAt", "2024-01-19T00:00:00." + std::string(100000, '0') + "Z"}};
  EXPECT_EQ(response(chat_, "createChatCompletion", 429, chat429).size(), 1u);
}

TEST_F(Validation, RequestBodiesAreChecked) {
  const Operation& op = *apixo_->find("generateTask");
  EXPECT_TRUE(apixo_->validate_request(op, "application/json", {{"input", {{"prompt", "a cat"}}}}).empty());
  auto v = apixo_->validate_request(op, "application/json", {{"input", {{"prompt", "a cat"}, {"num_images", 3}}}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/input/num_images");
  EXPECT_EQ(v[0].message, "3 is not one of [1,2,4]");
  v = apixo_->validate_request(op, "text/plain", "x");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].message.find("request content type 'text/plain' is not documented"), std::string::npos);
}

TEST(ReadWriteOnly, RequiredAppliesOnlyInItsDirection) {
  const auto c = Contract::parse(R"(
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      required: [id, secret, name]
      properties:
        id: {type: integer, readOnly: true}
        secret: {type: string, writeOnly: true}
        name: {type: string}
)",
                                 "rw.yaml");
  const Operation& op = *c->find("createThing");
  EXPECT_TRUE(c->validate_request(op, "application/json", {{"secret", "s"}, {"name", "n"}}).empty());
  const json created = {{"id", 1}, {"name", "n"}};
  EXPECT_TRUE(c->validate_response(op, 201, "application/json", &created).empty());

  auto v = c->validate_request(op, "application/json", {{"id", 1}, {"secret", "s"}, {"name", "n"}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "readOnly property must not be sent in a request");
  const json leaked = {{"id", 1}, {"name", "n"}, {"secret", "s"}};
  v = c->validate_response(op, 201, "application/json", &leaked);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/secret");
  const json no_id = {{"name", "n"}};
  EXPECT_EQ(c->validate_response(op, 201, "application/json", &no_id).size(), 1u);
}

TEST(Lint, EveryExampleOfEveryBundledContractValidates) {
  for (const char* file : test::kContracts) {
    SCOPED_TRACE(file);
    const auto report = lint(*Contract::load(test::spec(file)));
    for (const auto& issue : report.issues) ADD_FAILURE() << issue.where.to_string() << ": " << issue.message;
    EXPECT_GE(report.examples_checked, report.operations * 2);
  }
}

TEST(Lint, AWrongExampleIsReportedAtItsLine) {
  const auto c = Contract::parse(R"(openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/chat:
    post:
      operationId: chat
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
              example:
                id: 42
            text/event-stream:
              schema: {type: string}
              x-sse:
                chunk: {type: object, required: [n], properties: {n: {type: integer}}}
                done: '[DONE]'
              example: "data: {\"n\": 1}\n\ndata: {\"n\": \"x\"}\n\n"
)",
                                 "wrong.yaml");
  const auto report = lint(*c);
  ASSERT_EQ(report.issues.size(), 3u);
  EXPECT_EQ(report.issues[0].where.line, 18);
  EXPECT_NE(report.issues[0].message.find("/id: expected string, got integer"), std::string::npos)
      << report.issues[0].message;
  EXPECT_NE(report.issues[1].message.find("stream event 1"), std::string::npos) << report.issues[1].message;
  EXPECT_NE(report.issues[2].message.find("does not end with data: [DONE]"), std::string::npos);
}

}  // namespace
}  // namespace tollgate::contract
