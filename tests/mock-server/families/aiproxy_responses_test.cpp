// The Responses API of the AIProxy mock as the OpenAI SDKs, the Vercel AI
// SDK and the Agents SDK use it: string and item inputs, instructions,
// function tools in the flat format and their results, structured output,
// max_output_tokens, stored responses (GET, DELETE, previous_response_id)
// and the typed event stream. Every answer is checked against the contract
// (EXPECT_CONFORMS), streams event by event.
#include <gtest/gtest.h>

#include "contract/client_schema.h"
#include "mock-server/content/textgen.h"
#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kDemo = {{"Authorization", "Bearer sk-demo"}};
const std::map<std::string, std::string> kOtherAccount = {{"Authorization", "Bearer sk-other"}};

const json kWeatherParams = json::parse(R"({
  "type": "object",
  "properties": {"city": {"type": "string", "minLength": 2}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
  "required": ["city", "days"], "additionalProperties": false})");

json weather_tool() {
  return {{"type", "function"}, {"name", "get_weather"}, {"description", "The weather."}, {"parameters", kWeatherParams},
          {"strict", true}};
}

struct Event {
  std::string name;  // the SSE `event:` field
  json data;
};

class AiProxyResponses : public ::testing::Test {
 protected:
  MockServer mock_;

  json create(const json& body, int want = 200, const std::map<std::string, std::string>& auth = kDemo) {
    auto res = mock_.call("POST", "/aiproxy/v1/responses", body, auth);
    EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy/v1/responses", res);
    EXPECT_EQ(res.status, want) << res.body;
    return json::parse(res.body);
  }
  json get(const std::string& id, int want, const std::map<std::string, std::string>& auth = kDemo) {
    auto res = mock_.call("GET", "/aiproxy/v1/responses/" + id, json(), auth);
    EXPECT_CONFORMS(mock_, "aiproxy", "GET", "/aiproxy/v1/responses/" + id, res);
    EXPECT_EQ(res.status, want) << res.body;
    return json::parse(res.body);
  }
  std::vector<Event> stream(json body) {
    body["stream"] = true;
    auto res = mock_.call("POST", "/aiproxy/v1/responses", body, kDemo);
    EXPECT_CONFORMS(mock_, "aiproxy", "POST", "/aiproxy/v1/responses", res);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(res.headers["content-type"].starts_with("text/event-stream"));
    EXPECT_EQ(res.body.find("[DONE]"), std::string::npos) << "the Responses API has no [DONE]";
    // `event: <name>` and one `data:` line per event, blank-line separated.
    std::vector<Event> out;
    std::size_t at = 0;
    while (at < res.body.size()) {
      const auto end = res.body.find("\n\n", at);
      const std::string block = res.body.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? res.body.size() : end + 2;
      Event e;
      for (std::size_t line = 0; line < block.size();) {
        const auto nl = std::min(block.find('\n', line), block.size());
        const std::string text = block.substr(line, nl - line);
        if (text.starts_with("event: ")) e.name = text.substr(7);
        if (text.starts_with("data: ")) e.data = json::parse(text.substr(6));
        line = nl + 1;
      }
      out.push_back(std::move(e));
    }
    return out;
  }
  static std::string output_text(const json& response) {
    std::string text;
    for (const auto& item : response["output"])
      if (item["type"] == "message")
        for (const auto& part : item["content"]) text += part.value("text", "");
    return text;
  }
};

TEST_F(AiProxyResponses, AStringInputGetsAMessageOnTheSameGeneratorAsChat) {
  const json r = create({{"model", "gpt-4-turbo"}, {"instructions", "Be brief."}, {"input", "What is machine learning?"}});
  EXPECT_TRUE(r["id"].get<std::string>().starts_with("resp_"));
  EXPECT_EQ(r["object"], "response");
  EXPECT_EQ(r["status"], "completed");
  EXPECT_EQ(r["instructions"], "Be brief.");
  EXPECT_EQ(r["store"], true);
  ASSERT_EQ(r["output"].size(), 1u);
  const json& item = r["output"][0];
  EXPECT_EQ(item["type"], "message");
  EXPECT_TRUE(item["id"].get<std::string>().starts_with("msg_"));
  EXPECT_EQ(item["role"], "assistant");
  EXPECT_EQ(item["content"][0]["type"], "output_text");
  // The same words as a chat completion of the same conversation, billed the same.
  auto chat = mock_.call("POST", "/aiproxy/v1/chat/completions",
                         {{"model", "gpt-4-turbo"},
                          {"messages", {{{"role", "developer"}, {"content", "Be brief."}},
                                        {{"role", "user"}, {"content", "What is machine learning?"}}}}},
                         kDemo);
  const json c = json::parse(chat.body);
  EXPECT_EQ(output_text(r), c["choices"][0]["message"]["content"]);
  EXPECT_EQ(r["usage"]["input_tokens"], c["usage"]["prompt_tokens"]);
  EXPECT_EQ(r["usage"]["output_tokens"], c["usage"]["completion_tokens"]);
  EXPECT_EQ(r["usage"]["total_tokens"], r["usage"]["input_tokens"].get<int>() + r["usage"]["output_tokens"].get<int>());
}

TEST_F(AiProxyResponses, AStoredResponseIsReadableByItsAccountAndDeletable) {
  const json r = create({{"model", "gpt-4-turbo"}, {"input", "Hello"}});
  const std::string id = r["id"];
  EXPECT_EQ(get(id, 200), r);
  get(id, 404, kOtherAccount);  // another account's key: as if it did not exist
  auto del = mock_.call("DELETE", "/aiproxy/v1/responses/" + id, json(), kDemo);
  EXPECT_CONFORMS(mock_, "aiproxy", "DELETE", "/aiproxy/v1/responses/" + id, del);
  EXPECT_EQ(json::parse(del.body), (json{{"id", id}, {"object", "response"}, {"deleted", true}}));
  const json gone = get(id, 404);
  EXPECT_EQ(gone["error"]["message"], "Response with id '" + id + "' not found.");
  // store: false keeps nothing.
  const json unstored = create({{"model", "gpt-4-turbo"}, {"input", "Hello"}, {"store", false}});
  EXPECT_EQ(unstored["store"], false);
  get(unstored["id"], 404);
}

TEST_F(AiProxyResponses, PreviousResponseIdContinuesTheStoredConversation) {
  const json first = create({{"model", "gpt-4-turbo"}, {"instructions", "Answer in one line."}, {"input", "Name a color."}});
  const json second = create({{"model", "gpt-4-turbo"}, {"previous_response_id", first["id"]}, {"input", "And another?"}});
  EXPECT_EQ(second["previous_response_id"], first["id"]);
  // The earlier turn (its input and answer, not its instructions) is input again.
  EXPECT_GT(second["usage"]["input_tokens"].get<std::int64_t>(),
            first["usage"]["output_tokens"].get<std::int64_t>() + mock::count_tokens("And another?"));
  // The same conversation sent as items answers the same.
  const json items = create({{"model", "gpt-4-turbo"},
                             {"input", {{{"role", "user"}, {"content", "Name a color."}},
                                        {{"type", "message"}, {"role", "assistant"},
                                         {"content", {{{"type", "output_text"}, {"text", output_text(first)}}}}},
                                        {{"role", "user"}, {"content", "And another?"}}}}});
  EXPECT_EQ(output_text(items), output_text(second));
  EXPECT_EQ(items["usage"]["input_tokens"], second["usage"]["input_tokens"]);
  // An item_reference reads the stored item.
  const json ref = create({{"model", "gpt-4-turbo"},
                           {"input", {{{"role", "user"}, {"content", "Name a color."}},
                                      {{"type", "item_reference"}, {"id", first["output"][0]["id"]}},
                                      {{"role", "user"}, {"content", "And another?"}}}}});
  EXPECT_EQ(output_text(ref), output_text(second));

  const json unknown = create({{"model", "gpt-4-turbo"}, {"previous_response_id", "resp_nope"}, {"input", "Hi"}}, 400);
  EXPECT_EQ(unknown["error"]["param"], "previous_response_id");
  create({{"model", "gpt-4-turbo"}, {"previous_response_id", first["id"]}, {"input", "Hi"}}, 400, kOtherAccount);
  const json bad_ref = create({{"model", "gpt-4-turbo"}, {"input", {{{"type", "item_reference"}, {"id", "msg_nope"}}}}}, 400);
  EXPECT_EQ(bad_ref["error"]["param"], "input[0].id");
}

TEST_F(AiProxyResponses, FunctionToolsAreCalledAndTheirOutputsAnswered) {
  const json call_turn = create({{"model", "gpt-4-turbo"},
                                 {"input", "What is the weather in Paris? Use get_weather."},
                                 {"tools", {weather_tool()}},
                                 {"tool_choice", "required"}});
  ASSERT_EQ(call_turn["output"].size(), 1u);
  const json& call = call_turn["output"][0];
  EXPECT_EQ(call["type"], "function_call");
  EXPECT_TRUE(call["id"].get<std::string>().starts_with("fc_"));
  EXPECT_TRUE(call["call_id"].get<std::string>().starts_with("call_"));
  EXPECT_EQ(call["name"], "get_weather");
  EXPECT_EQ(contract::ClientSchema::parse(kWeatherParams).problems(json::parse(call["arguments"].get<std::string>())), "");
  EXPECT_EQ(call_turn["tools"][0]["name"], "get_weather") << "the tools are echoed";

  // The tool's output sent back, as the SDKs do: the call item, then its output.
  const json answer = create({{"model", "gpt-4-turbo"},
                              {"input", {{{"role", "user"}, {"content", "What is the weather in Paris? Use get_weather."}},
                                         {{"type", "function_call"}, {"call_id", call["call_id"]}, {"name", "get_weather"},
                                          {"arguments", call["arguments"]}, {"id", call["id"]}, {"status", "completed"}},
                                         {{"type", "function_call_output"}, {"call_id", call["call_id"]},
                                          {"output", "18 C and sunny"}}}},
                              {"tools", {weather_tool()}}});
  ASSERT_EQ(answer["output"].size(), 1u);
  EXPECT_EQ(answer["output"][0]["type"], "message");
  EXPECT_FALSE(output_text(answer).empty());
  // The same through previous_response_id: only the output is sent.
  const json continued = create({{"model", "gpt-4-turbo"},
                                 {"previous_response_id", call_turn["id"]},
                                 {"input", {{{"type", "function_call_output"}, {"call_id", call["call_id"]},
                                             {"output", "18 C and sunny"}}}},
                                 {"tools", {weather_tool()}}});
  EXPECT_EQ(output_text(continued), output_text(answer));

  // A named function, and two in parallel when the user names both.
  json time_tool = weather_tool();
  time_tool["name"] = "get_time";
  time_tool["parameters"] = {{"type", "object"}, {"properties", json::object()}, {"additionalProperties", false}};
  const json named = create({{"model", "gpt-4-turbo"}, {"input", "Hi"}, {"tools", {weather_tool(), time_tool}},
                             {"tool_choice", {{"type", "function"}, {"name", "get_time"}}}});
  EXPECT_EQ(named["output"][0]["name"], "get_time");
  const json both = create({{"model", "gpt-4-turbo"}, {"input", "Use get_weather and get_time."},
                            {"tools", {weather_tool(), time_tool}}});
  ASSERT_EQ(both["output"].size(), 2u);
  EXPECT_NE(both["output"][0]["id"], both["output"][1]["id"]);
  EXPECT_NE(both["output"][0]["call_id"], both["output"][1]["call_id"]);

  const json hosted = create({{"model", "gpt-4-turbo"}, {"input", "Hi"}, {"tools", {{{"type", "web_search"}}}}}, 400);
  EXPECT_EQ(hosted["error"]["param"], "tools[0].type");
}

TEST_F(AiProxyResponses, TextFormatJsonSchemaIsValidJsonAndStrictIsEnforced) {
  const json schema = json::parse(R"({"type": "object", "properties": {"summary": {"type": "string"},
    "score": {"type": "integer", "minimum": 0, "maximum": 10}}, "required": ["summary", "score"],
    "additionalProperties": false})");
  const json r = create({{"model", "gpt-4-turbo"}, {"input", "Rate Paris."},
                         {"text", {{"format", {{"type", "json_schema"}, {"name", "rating"}, {"schema", schema}, {"strict", true}}}}}});
  const json value = json::parse(output_text(r));
  EXPECT_EQ(contract::ClientSchema::parse(schema).problems(value), "") << value.dump();
  EXPECT_EQ(r["text"]["format"]["name"], "rating");

  json loose = schema;
  loose.erase("additionalProperties");
  const json refused = create({{"model", "gpt-4-turbo"}, {"input", "Rate Paris."},
                               {"text", {{"format", {{"type", "json_schema"}, {"name", "rating"}, {"schema", loose},
                                                     {"strict", true}}}}}},
                              400);
  EXPECT_EQ(refused["error"]["param"], "text.format");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("additionalProperties"), std::string::npos);
}

TEST_F(AiProxyResponses, MaxOutputTokensCutsTheAnswerAsIncomplete) {
  const json r = create({{"model", "gpt-4-turbo"}, {"input", "Tell me a long story about the sea."}, {"max_output_tokens", 16}});
  EXPECT_EQ(r["status"], "incomplete");
  EXPECT_EQ(r["incomplete_details"]["reason"], "max_output_tokens");
  EXPECT_EQ(r["usage"]["output_tokens"], 16);
  EXPECT_EQ(r["output"][0]["status"], "incomplete");
  // OpenAI's minimum is 16.
  const json low = create({{"model", "gpt-4-turbo"}, {"input", "Hi"}, {"max_output_tokens", 5}}, 400);
  EXPECT_EQ(low["error"]["param"], "max_output_tokens");
  const json none = create({{"model", "gpt-4-turbo"}, {"instructions", "Hi"}}, 400);
  EXPECT_EQ(none["error"]["param"], "input");
}

TEST_F(AiProxyResponses, AStreamIsTypedEventsWhoseDeltasJoinIntoTheAnswer) {
  const json body = {{"model", "gpt-4-turbo"}, {"input", "What is machine learning?"}};
  const json whole = create(body);
  const auto events = stream(body);
  ASSERT_GE(events.size(), 9u);
  std::vector<std::string> types;
  std::string joined;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].name, events[i].data["type"]) << "event " << i;
    EXPECT_EQ(events[i].data["sequence_number"], i);
    types.push_back(events[i].data["type"]);
    if (events[i].data["type"] == "response.output_text.delta") joined += events[i].data["delta"].get<std::string>();
  }
  EXPECT_EQ(types[0], "response.created");
  EXPECT_EQ(events[0].data["response"]["status"], "in_progress");
  EXPECT_TRUE(events[0].data["response"]["usage"].is_null());
  EXPECT_EQ(types[1], "response.in_progress");
  EXPECT_EQ(types[2], "response.output_item.added");
  EXPECT_EQ(types[3], "response.content_part.added");
  EXPECT_EQ(types.back(), "response.completed");
  const json& final_response = events.back().data["response"];
  EXPECT_EQ(joined, output_text(whole)) << "streamed and whole answers are the same words";
  EXPECT_EQ(output_text(final_response), joined);
  EXPECT_EQ(final_response["usage"]["output_tokens"], whole["usage"]["output_tokens"]);
  const auto text_done = std::find(types.begin(), types.end(), "response.output_text.done") - types.begin();
  EXPECT_EQ(events[text_done].data["text"], joined);
  // The streamed response is stored too.
  EXPECT_EQ(get(final_response["id"], 200)["id"], final_response["id"]);
}

TEST_F(AiProxyResponses, AStreamedFunctionCallSendsItsArgumentsInFragments) {
  const auto events = stream({{"model", "gpt-4-turbo"}, {"input", "Weather in Paris?"}, {"tools", {weather_tool()}},
                              {"tool_choice", "required"}, {"max_output_tokens", 64}});
  std::string joined, done_arguments;
  int deltas = 0;
  for (const auto& e : events) {
    if (e.data["type"] == "response.output_item.added") {
      EXPECT_EQ(e.data["item"]["type"], "function_call");
      EXPECT_EQ(e.data["item"]["name"], "get_weather");
      EXPECT_EQ(e.data["item"]["arguments"], "");
    }
    if (e.data["type"] == "response.function_call_arguments.delta") {
      joined += e.data["delta"].get<std::string>();
      ++deltas;
    }
    if (e.data["type"] == "response.function_call_arguments.done") done_arguments = e.data["arguments"];
  }
  EXPECT_GT(deltas, 1);
  EXPECT_EQ(joined, done_arguments);
  EXPECT_EQ(contract::ClientSchema::parse(kWeatherParams).problems(json::parse(joined)), "");
  EXPECT_EQ(events.back().data["type"], "response.completed");
}

TEST_F(AiProxyResponses, AStreamCutByMaxOutputTokensEndsWithResponseIncomplete) {
  const auto events = stream({{"model", "gpt-4-turbo"}, {"input", "Tell me a long story about the sea."}, {"max_output_tokens", 16}});
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().data["type"], "response.incomplete");
  EXPECT_EQ(events.back().data["response"]["incomplete_details"]["reason"], "max_output_tokens");
}

}  // namespace
}  // namespace tollgate::test
