#include <gtest/gtest.h>

#include "contract/contract.h"
#include "tests/support/paths.h"

namespace tollgate::contract {
namespace {

struct Expected {
  const char* file;
  const char* method;
  const char* concrete_path;
  const char* operation_id;
  const char* template_path;
};

// The nineteen documented operations, each reached by a concrete request.
const Expected kOperations[] = {
    {"aiapigiare-system.yaml", "GET", "/AiApiGiaRe/user", "getUser", "/AiApiGiaRe/user"},
    {"aiapigiare-system.yaml", "GET", "/AiApiGiaRe/apikeylist?keyword=prod", "listApiKeys", "/AiApiGiaRe/apikeylist"},
    {"aiapigiare-system.yaml", "DELETE", "/AiApiGiaRe/deletekey/12", "deleteApiKey", "/AiApiGiaRe/deletekey/{key_id}"},
    {"aiapigiare-system.yaml", "PUT", "/AiApiGiaRe/editquota/12", "editKeyQuota", "/AiApiGiaRe/editquota/{key_id}"},
    {"aiapigiare-system.yaml", "GET", "/AiApiGiaRe/task?start_timestamp=1&end_timestamp=2", "listTasks", "/AiApiGiaRe/task"},
    {"aiapigiare-system.yaml", "GET", "/AiApiGiaRe/logs?p=2", "listLogs", "/AiApiGiaRe/logs"},
    {"aiapigiare-system.yaml", "GET", "/AiApiGiaRe/models", "listModels", "/AiApiGiaRe/models"},
    {"aiapigiare-media.yaml", "POST", "/task/submit", "submitTask", "/task/submit"},
    {"aiapigiare-media.yaml", "GET", "/task/t_0a1b2c3d4e5f6g7h8i9j", "getTask", "/task/{task_id}"},
    {"aimichat.yaml", "POST", "/v1/chat/completions", "createChatCompletion", "/v1/chat/completions"},
    {"aiproxy.yaml", "GET", "/v1/models?provider=openai&type=chat", "listModels", "/v1/models"},
    {"aiproxy.yaml", "POST", "/v1/completions", "createCompletion", "/v1/completions"},
    {"aiproxy.yaml", "POST", "/v1/chat/completions", "createChatCompletion", "/v1/chat/completions"},
    {"aiproxy.yaml", "POST", "/v1/embeddings", "createEmbedding", "/v1/embeddings"},
    {"aiproxy.yaml", "POST", "/v1/responses", "createResponse", "/v1/responses"},
    {"aiproxy.yaml", "GET", "/v1/responses/resp_1", "getResponse", "/v1/responses/{response_id}"},
    {"aiproxy.yaml", "DELETE", "/v1/responses/resp_1", "deleteResponse", "/v1/responses/{response_id}"},
    {"apixo.yaml", "POST", "/api/v1/generateTask/gpt-image-1", "generateTask", "/api/v1/generateTask/{model}"},
    {"apixo.yaml", "GET", "/api/v1/statusTask/gpt-image-1?taskId=task_1", "getTaskStatus", "/api/v1/statusTask/{model}"},
};

TEST(Operations, TheFiveContractsHoldExactlyTheNineteenOperations) {
  std::size_t total = 0;
  for (const char* file : test::kContracts) total += Contract::load(test::spec(file))->operations().size();
  EXPECT_EQ(total, 19u);
  EXPECT_EQ(std::size(kOperations), 19u);
}

TEST(Operations, EveryOperationIsFoundByMethodAndConcretePath) {
  for (const auto& e : kOperations) {
    SCOPED_TRACE(std::string(e.file) + " " + e.method + " " + e.concrete_path);
    const auto c = Contract::load(test::spec(e.file));
    const Match m = c->match(e.method, e.concrete_path);
    ASSERT_EQ(m.kind, Match::Kind::kFound);
    EXPECT_EQ(m.operation->id, e.operation_id);
    EXPECT_EQ(m.operation->path, e.template_path);
    EXPECT_EQ(m.operation->method, e.method);
  }
}

TEST(Operations, PathParametersAreExtractedAndDecoded) {
  const auto media = Contract::load(test::spec("aiapigiare-media.yaml"));
  const Match m = media->match("GET", "/task/t%20with%2Fslash");
  ASSERT_EQ(m.kind, Match::Kind::kFound);
  EXPECT_EQ(m.path_params.at("task_id"), "t with/slash");

  // /task/submit is literal and wins over /task/{task_id} for POST; a GET of
  // /task/submit is the templated operation with task_id "submit".
  EXPECT_EQ(media->match("POST", "/task/submit").operation->id, "submitTask");
  const Match get = media->match("GET", "/task/submit");
  ASSERT_EQ(get.kind, Match::Kind::kFound);
  EXPECT_EQ(get.operation->id, "getTask");
}

TEST(Operations, WrongMethodAndUnknownPathAreTold) {
  const auto proxy = Contract::load(test::spec("aiproxy.yaml"));
  const Match wrong = proxy->match("DELETE", "/v1/models");
  EXPECT_EQ(wrong.kind, Match::Kind::kWrongMethod);
  EXPECT_EQ(wrong.allowed_methods, std::vector<std::string>{"GET"});
  EXPECT_EQ(proxy->match("GET", "/v1/model").kind, Match::Kind::kNoPath);
  EXPECT_EQ(proxy->match("GET", "/v1/models/extra").kind, Match::Kind::kNoPath);
  EXPECT_EQ(proxy->match("get", "/v1/models").kind, Match::Kind::kFound);  // methods are case-insensitive
}

TEST(Operations, ParametersCarryDefaultsAndRanges) {
  const auto sys = Contract::load(test::spec("aiapigiare-system.yaml"));
  const Operation* logs = sys->find("listLogs");
  ASSERT_NE(logs, nullptr);
  for (const char* name : {"p", "page_size", "type", "token_name", "model_name", "username", "start_timestamp",
                           "end_timestamp"})
    EXPECT_NE(logs->parameter(name, "query"), nullptr) << name;
  const Parameter* page_size = logs->parameter("page_size", "query");
  EXPECT_EQ((*sys->documents().deref(page_size->schema).node)["default"], 10000);
  EXPECT_TRUE(sys->validate_parameter(*page_size, "50").empty());
  const auto too_big = sys->validate_parameter(*page_size, "10001");
  ASSERT_EQ(too_big.size(), 1u);
  EXPECT_NE(too_big[0].message.find("query parameter 'page_size'"), std::string::npos);
  EXPECT_NE(too_big[0].message.find("maximum 10000"), std::string::npos);
  const auto not_number = sys->validate_parameter(*page_size, "ten");
  ASSERT_EQ(not_number.size(), 1u);
  EXPECT_NE(not_number[0].message.find("expected integer, got string"), std::string::npos);
  const Parameter* start = sys->find("listTasks")->parameter("start_timestamp", "query");
  ASSERT_NE(start, nullptr);
  EXPECT_TRUE(start->required);
}

TEST(Operations, SecurityAndStreamsAreDescribed) {
  const auto chat = Contract::load(test::spec("aimichat.yaml"));
  const auto& root = chat->documents().root().value;
  EXPECT_EQ(root["components"]["securitySchemes"]["apiKeyHeader"]["name"], "X-API-Key");
  EXPECT_EQ(root["components"]["securitySchemes"]["apiKeyQuery"]["in"], "query");
  EXPECT_EQ(root["security"].size(), 3u);
  const ResponseSpec* ok = chat->find("createChatCompletion")->response_for(200);
  const MediaType* sse = find_media_type(ok->content, "text/event-stream; charset=utf-8");
  ASSERT_NE(sse, nullptr);
  EXPECT_TRUE(sse->sse_chunk);
  EXPECT_EQ(sse->sse_done, "[DONE]");

  const auto apixo = Contract::load(test::spec("apixo.yaml"));
  const Operation* gen = apixo->find("generateTask");
  ASSERT_EQ(gen->callbacks.size(), 1u);
  EXPECT_EQ(gen->callbacks[0].expression, "{$request.body#/callback_url}");
  EXPECT_EQ(gen->callbacks[0].method, "POST");
}

}  // namespace
}  // namespace tollgate::contract

namespace tollgate::contract {
namespace {

// What OpenAI itself answers must pass our conformance: a tool call
// (content null, finish_reason tool_calls), a filtered answer, logprobs and
// usage details, and the same shapes streamed.
TEST(AiProxyContract, RealOpenAiAnswersConform) {
  const auto c = Contract::load(test::spec("aiproxy.yaml"));
  const Operation* op = c->find("createChatCompletion");
  ASSERT_NE(op, nullptr);
  const auto violations = [&](const char* text) {
    const nlohmann::json body = nlohmann::json::parse(text);
    std::string out;
    for (const auto& v : c->validate_response(*op, 200, "application/json", &body)) out += v.to_string() + "\n";
    return out;
  };
  EXPECT_EQ(violations(R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","system_fingerprint":"fp_1",
    "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
      "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
      "logprobs":null,"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":80,"completion_tokens":17,"total_tokens":97,
      "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
      "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
    "service_tier":"default"})"),
            "");
  EXPECT_EQ(violations(R"({"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4o",
    "choices":[{"index":0,"message":{"role":"assistant","content":null},"logprobs":{"content":[{"token":"Hi","logprob":-0.1,
      "bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105]}]}],"refusal":null},
      "finish_reason":"content_filter"}],
    "usage":{"prompt_tokens":5,"completion_tokens":0,"total_tokens":5}})"),
            "");
  // A finish reason OpenAI does not send is still caught.
  EXPECT_NE(violations(R"({"id":"x","object":"chat.completion","created":1,"model":"m",
    "choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"tired"}],
    "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})"),
            "");

  // The request shapes clients send: content null with tool_calls, content
  // parts, the developer role.
  const nlohmann::json request = nlohmann::json::parse(R"({"model":"gpt-4o","messages":[
    {"role":"developer","content":"Be brief."},
    {"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},
    {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"42"}],
    "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}},"strict":true}}],
    "tool_choice":"auto","parallel_tool_calls":true,"response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object"},"strict":true}},
    "n":1,"logprobs":true,"top_logprobs":2,"stop":["\n"],"max_completion_tokens":50,"seed":1,"presence_penalty":0,"frequency_penalty":0,
    "logit_bias":{"50256":-100},"user":"u","metadata":{"k":"v"},"store":false,"reasoning_effort":"low",
    "stream":false,"stream_options":null,"a_provider_extension":{"x":1}})");
  std::string problems;
  for (const auto& v : c->validate_request(*op, "application/json", request)) problems += v.to_string() + "\n";
  EXPECT_EQ(problems, "");
}

}  // namespace
}  // namespace tollgate::contract
