// What real OpenAI clients send to the AIProxy chat endpoint: tool calls
// (forced, required, auto, parallel, the tool-result turn, streamed as
// deltas), structured output, n, logprobs, stop, max_completion_tokens,
// content parts and the developer role. Every answer is checked against
// the contract too (EXPECT_CONFORMS).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "contract/client_schema.h"
#include "mock-server/content/textgen.h"
#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kDemo = {{"Authorization", "Bearer sk-demo"}};

const json kWeatherParams = json::parse(R"({
  "type": "object",
  "properties": {"city": {"type": "string", "minLength": 2}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                 "days": {"type": "integer", "minimum": 1, "maximum": 7}},
  "required": ["city", "unit", "days"], "additionalProperties": false})");
const json kTimeParams = json::parse(R"({"type": "object", "properties": {"zone": {"type": "string"}},
  "required": ["zone"], "additionalProperties": false})");

json tool(const std::string& name, const json& params) {
  return {{"type", "function"}, {"function", {{"name", name}, {"parameters", params}}}};
}

json ask(const std::string& text) {
  return {{"model", "gpt-4-turbo"},
          {"messages", {{{"role", "user"}, {"content", text}}}},
          {"tools", {tool("get_weather", kWeatherParams), tool("get_time", kTimeParams)}}};
}

class AiProxyOpenAi : public ::testing::Test {
 protected:
  MockServer mock_;

  json chat(const json& body, int want = 200) {
    auto res = mock_.call("POST", "/aiproxy/v1/chat/completions", body, kDemo);
    EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy/v1/chat/completions", res);
    EXPECT_EQ(res.status, want) << res.body;
    return json::parse(res.body);
  }
  std::vector<json> stream(json body) {
    body["stream"] = true;
    auto res = mock_.call("POST", "/aiproxy/v1/chat/completions", body, kDemo);
    EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy/v1/chat/completions", res);
    std::vector<json> chunks;
    for (const auto& e : contract::sse_data_payloads(res.body))
      if (e != "[DONE]") chunks.push_back(json::parse(e));
    return chunks;
  }
  static void expect_valid_arguments(const json& call, const json& params) {
    const json args = json::parse(call["function"]["arguments"].get<std::string>());
    EXPECT_EQ(contract::ClientSchema::parse(params).problems(args), "") << args.dump();
  }
};

TEST_F(AiProxyOpenAi, AForcedToolIsCalledWithArgumentsValidAgainstItsSchema) {
  json body = ask("Tell me something.");
  body["tool_choice"] = {{"type", "function"}, {"function", {{"name", "get_weather"}}}};
  const json j = chat(body);
  const json& choice = j["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_TRUE(choice["message"]["content"].is_null());
  ASSERT_EQ(choice["message"]["tool_calls"].size(), 1u);
  const json& call = choice["message"]["tool_calls"][0];
  EXPECT_EQ(call["type"], "function");
  EXPECT_EQ(call["function"]["name"], "get_weather");
  EXPECT_TRUE(call["id"].get<std::string>().starts_with("call_"));
  expect_valid_arguments(call, kWeatherParams);
  EXPECT_EQ(chat(body)["choices"], j["choices"]) << "the same request gets the same call";
}

TEST_F(AiProxyOpenAi, AutoCallsTheToolsTheUserNamesAndAnswersAfterTheToolResult) {
  // Names both tools: two parallel calls; with parallel_tool_calls false, one.
  json body = ask("What's the weather in Paris and the time there? Use get_weather and get_time.");
  const json calls = chat(body)["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["function"]["name"], "get_weather");
  EXPECT_EQ(calls[1]["function"]["name"], "get_time");
  EXPECT_NE(calls[0]["id"], calls[1]["id"]);
  expect_valid_arguments(calls[1], kTimeParams);
  body["parallel_tool_calls"] = false;
  EXPECT_EQ(chat(body)["choices"][0]["message"]["tool_calls"].size(), 1u);

  // No tool named: prose. "required" then calls the first tool anyway.
  json plain = ask("Hello there");
  EXPECT_EQ(chat(plain)["choices"][0]["finish_reason"], "stop");
  plain["tool_choice"] = "required";
  EXPECT_EQ(chat(plain)["choices"][0]["message"]["tool_calls"][0]["function"]["name"], "get_weather");
  body["tool_choice"] = "none";
  EXPECT_FALSE(chat(body)["choices"][0]["message"].contains("tool_calls"));

  // The agent loop: the assistant's call (content null) and the tool's
  // result go back; the answer is text, so the loop ends.
  json turn = ask("Use get_weather for Paris");
  const json call = chat(turn)["choices"][0]["message"]["tool_calls"][0];
  turn["messages"].push_back({{"role", "assistant"}, {"content", nullptr}, {"tool_calls", {call}}});
  turn["messages"].push_back({{"role", "tool"}, {"tool_call_id", call["id"]}, {"content", "18 C, sunny"}});
  const json answer = chat(turn)["choices"][0];
  EXPECT_EQ(answer["finish_reason"], "stop");
  EXPECT_TRUE(answer["message"]["content"].is_string());
}

TEST_F(AiProxyOpenAi, StreamedToolCallsArriveAsDeltasThatAssembleIntoTheArguments) {
  json body = ask("Use get_weather and get_time please");
  const json whole = chat(body)["choices"][0]["message"]["tool_calls"];
  const auto chunks = stream(body);
  ASSERT_GE(chunks.size(), 5u);
  std::map<int, json> calls;  // index -> {id, name, arguments}
  std::string finish;
  for (const auto& c : chunks) {
    const json& choice = c["choices"][0];
    if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
    if (!choice["delta"].contains("tool_calls")) continue;
    for (const auto& d : choice["delta"]["tool_calls"]) {
      json& acc = calls[d["index"].get<int>()];
      if (d.contains("id")) acc["id"] = d["id"];
      if (d.contains("function") && d["function"].contains("name")) acc["name"] = d["function"]["name"];
      acc["arguments"] = acc.value("arguments", "") + d["function"].value("arguments", "");
    }
  }
  EXPECT_EQ(finish, "tool_calls");
  EXPECT_EQ(chunks.front()["choices"][0]["delta"]["role"], "assistant");
  ASSERT_EQ(calls.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(calls[i]["id"], whole[i]["id"]);
    EXPECT_EQ(calls[i]["name"], whole[i]["function"]["name"]);
    EXPECT_EQ(calls[i]["arguments"], whole[i]["function"]["arguments"]);  // the fragments join to the same JSON
  }
}

TEST_F(AiProxyOpenAi, StructuredOutputIsJsonValidAgainstTheSchema) {
  const json schema = json::parse(R"({"type": "object", "properties": {
      "title": {"type": "string"}, "rating": {"type": "integer", "minimum": 1, "maximum": 5},
      "tags": {"type": "array", "items": {"type": "string"}},
      "review": {"anyOf": [{"$ref": "#/$defs/review"}, {"type": "null"}]}},
    "required": ["title", "rating", "tags", "review"], "additionalProperties": false,
    "$defs": {"review": {"type": "object", "properties": {"by": {"type": "string"}}, "required": ["by"],
                         "additionalProperties": false}}})");
  json body = {{"model", "gpt-4-turbo"},
               {"messages", {{{"role", "user"}, {"content", "Review this film"}}}},
               {"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "film"}, {"strict", true}, {"schema", schema}}}}}};
  const json content = json::parse(chat(body)["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_EQ(contract::ClientSchema::parse(schema).problems(content), "") << content.dump();

  // Streamed, the content deltas join to the same JSON.
  std::string joined;
  for (const auto& c : stream(body))
    if (c["choices"][0]["delta"].contains("content")) joined += c["choices"][0]["delta"]["content"].get<std::string>();
  EXPECT_EQ(json::parse(joined), content);

  // strict: a schema OpenAI's strict mode refuses is refused the same way.
  json loose = body;
  loose["response_format"]["json_schema"]["schema"].erase("additionalProperties");
  const json refused = chat(loose, 400);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("'additionalProperties' is required"),
            std::string::npos);
  EXPECT_EQ(refused["error"]["param"], "response_format");

  // json_object: a JSON object, and the messages must say "json".
  json object = {{"model", "gpt-4-turbo"},
                 {"messages", {{{"role", "user"}, {"content", "Answer in JSON"}}}},
                 {"response_format", {{"type", "json_object"}}}};
  EXPECT_TRUE(json::parse(chat(object)["choices"][0]["message"]["content"].get<std::string>()).is_object());
  object["messages"][0]["content"] = "Answer";
  EXPECT_EQ(chat(object, 400)["error"]["param"], "messages");
}

TEST_F(AiProxyOpenAi, ChoicesLogprobsStopAndMaxCompletionTokens) {
  json body = {{"model", "gpt-4-turbo"}, {"messages", {{{"role", "user"}, {"content", "What is machine learning?"}}}}};
  const std::string one = chat(body)["choices"][0]["message"]["content"];

  body["n"] = 3;
  const json three = chat(body)["choices"];
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three[0]["message"]["content"], one);  // the first choice is the single answer
  EXPECT_NE(three[1]["message"]["content"], three[0]["message"]["content"]);
  EXPECT_NE(three[2]["message"]["content"], three[1]["message"]["content"]);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(three[i]["index"], i);

  body.erase("n");
  body["max_completion_tokens"] = 5;
  const json cut = chat(body);
  EXPECT_EQ(cut["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(cut["usage"]["completion_tokens"], 5);
  EXPECT_EQ(mock::count_tokens(cut["choices"][0]["message"]["content"].get<std::string>()), 5);

  body.erase("max_completion_tokens");
  const auto space = one.find(' ', 3);
  ASSERT_NE(space, std::string::npos);
  body["stop"] = {one.substr(space, 4), "never-there"};
  const json stopped = chat(body)["choices"][0];
  EXPECT_EQ(stopped["finish_reason"], "stop");
  EXPECT_EQ(stopped["message"]["content"], one.substr(0, space));

  body.erase("stop");
  body["logprobs"] = true;
  body["top_logprobs"] = 3;
  const json lp = chat(body)["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(lp.size(), static_cast<std::size_t>(mock::count_tokens(one)));
  std::string tokens;
  for (const auto& t : lp) {
    tokens += t["token"].get<std::string>();
    EXPECT_LE(t["logprob"].get<double>(), 0.0);
    EXPECT_EQ(t["top_logprobs"].size(), 3u);
  }
  EXPECT_EQ(tokens, one);
  body["logprobs"] = false;
  EXPECT_EQ(chat(body, 400)["error"]["param"], "top_logprobs");
}

TEST_F(AiProxyOpenAi, MessageShapesOpenAiAcceptsAreAccepted) {
  const json body = {{"model", "gpt-4-turbo"},
                     {"messages",
                      {{{"role", "developer"}, {"content", "Be brief."}},
                       {{"role", "user"},
                        {"content", {{{"type", "text"}, {"text", "What is in this image?"}},
                                     {{"type", "image_url"}, {"image_url", {{"url", "https://example.com/a.png"}}}}}}}}},
                     {"seed", 7}, {"presence_penalty", 0.5}, {"frequency_penalty", 0}, {"user", "u-1"},
                     {"metadata", {{"k", "v"}}}, {"store", false}, {"logit_bias", {{"50256", -100}}},
                     {"an_unknown_provider_field", true}};
  const json j = chat(body);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  // The parts' text counts as the prompt: the same tokens as a plain string.
  json plain = body;
  plain["messages"][1]["content"] = "What is in this image?";
  EXPECT_EQ(chat(plain)["usage"]["prompt_tokens"], j["usage"]["prompt_tokens"]);
}

TEST_F(AiProxyOpenAi, BadToolsAreRefusedNamingTheParameter) {
  json body = ask("Use get_weather");
  body["tools"][0]["function"]["parameters"] = {{"type", "object"}, {"properties", {{"a", {{"type", "strin"}}}}}};
  const json bad_schema = chat(body, 400)["error"];
  EXPECT_EQ(bad_schema["param"], "tools[0].function.parameters");
  EXPECT_NE(bad_schema["message"].get<std::string>().find("unknown type 'strin'"), std::string::npos);

  body = ask("hi");
  body["tool_choice"] = {{"type", "function"}, {"function", {{"name", "nope"}}}};
  EXPECT_EQ(chat(body, 400)["error"]["param"], "tool_choice");
  body.erase("tools");
  body["tool_choice"] = "required";
  EXPECT_EQ(chat(body, 400)["error"]["param"], "tool_choice");

  // A reference outside the schema is never followed (no file is read).
  body = ask("Use get_weather");
  body["tools"][0]["function"]["parameters"] = {{"$ref", "/etc/passwd"}};
  EXPECT_NE(chat(body, 400)["error"]["message"].get<std::string>().find("only references inside"), std::string::npos);
}

TEST_F(AiProxyOpenAi, HostileSchemasCannotMakeHugeAnswers) {
  // 150 bytes of schema asking for 10^12 values: a 400, at once.
  json body = {{"model", "gpt-4-turbo"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}};
  json nested = {{"type", "string"}};
  for (int i = 0; i < 4; ++i) nested = {{"type", "array"}, {"minItems", 1000}, {"items", nested}};
  body["response_format"] = {{"type", "json_schema"}, {"json_schema", {{"name", "big"}, {"schema", nested}}}};
  const json refused = chat(body, 400)["error"];
  EXPECT_NE(refused["message"].get<std::string>().find("more than 10000 JSON values"), std::string::npos);
  // About 1 MB per choice is allowed; 10 choices of it (10 MB) are not.
  body["response_format"]["json_schema"]["schema"] = {
      {"type", "array"}, {"minItems", 250}, {"items", {{"type", "string"}, {"minLength", 4000}}}};
  body["max_completion_tokens"] = nullptr;
  body["n"] = 10;
  EXPECT_EQ(chat(body, 400)["error"]["param"], "n");
  body["n"] = 1;
  EXPECT_GT(chat(body)["choices"][0]["message"]["content"].get<std::string>().size(), 1'000'000u);
}

TEST_F(AiProxyOpenAi, TheSeedsCompletionExampleWithAChatModelIsServed) {
  auto res = mock_.call("POST", "/aiproxy/v1/completions",
                        {{"model", "gpt-4-turbo"}, {"prompt", "Once upon a time"}, {"max_tokens", 500}}, kDemo);
  EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy/v1/completions", res);
  EXPECT_EQ(res.status, 200) << res.body;
  res = mock_.call("POST", "/aiproxy/v1/completions", {{"model", "text-embedding-3-small"}, {"prompt", "x"}}, kDemo);
  EXPECT_EQ(res.status, 400);  // an embedding model still is not a completion model
}

}  // namespace
}  // namespace tollgate::test

namespace tollgate::test {
namespace {

// --strict-params (or `strict_params: true` in the fixture): a field the
// contract does not list is OpenAI's unknown_parameter 400; without it,
// accepted.
TEST(AiProxyStrictParams, UnknownFieldsAreRefusedOnlyWhenAsked) {
  const json body = {{"model", "gpt-4-turbo"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"foo", 1}};
  MockServer lenient;
  EXPECT_EQ(lenient.call("POST", "/aiproxy/v1/chat/completions", body, kDemo).status, 200);

  MockServer strict(default_fixture(), mock::LatencyMode::kFast, [](mock::MockOptions& o) { o.strict_params = true; });
  const auto res = strict.call("POST", "/aiproxy/v1/chat/completions", body, kDemo);
  EXPECT_CONFORMS(strict, "aiproxy", "POST", "/aiproxy/v1/chat/completions", res);
  ASSERT_EQ(res.status, 400);
  const json error = json::parse(res.body)["error"];
  EXPECT_EQ(error["code"], "unknown_parameter");
  EXPECT_EQ(error["param"], "foo");
  EXPECT_EQ(error["message"], "Unrecognized request argument supplied: foo");
  json known = body;
  known.erase("foo");
  known["n"] = 1;
  known["seed"] = 3;
  EXPECT_EQ(strict.call("POST", "/aiproxy/v1/chat/completions", known, kDemo).status, 200);

  // The fixture switch, loaded through the admin API.
  std::ifstream in(default_fixture());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text += "\nstrict_params: true\n";
  net::HttpRequest put;
  put.method = "PUT";
  put.path = put.target = "/_mock/fixture";
  put.remote_address = "127.0.0.1";
  put.body = text;
  ASSERT_EQ(lenient.app().handle(put).status, 200);
  EXPECT_EQ(lenient.call("POST", "/aiproxy/v1/chat/completions", body, kDemo).status, 400);
}

}  // namespace
}  // namespace tollgate::test
