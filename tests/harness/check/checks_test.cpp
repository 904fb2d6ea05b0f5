// Each kind of violation the checks claim to catch, committed by a scripted
// server on 127.0.0.1:0, and the conformant answer that must pass. The
// conformant bodies are the contract's own examples.
#include <gtest/gtest.h>

#include <boost/asio/write.hpp>

#include "harness/http/engine.h"
#include "tests/support/run_options.h"
#include "tests/support/paths.h"
#include "tests/support/raw_server.h"

namespace tollgate::http {
namespace {

const std::string kChat =
    R"({"id":"chatcmpl-abc123","object":"chat.completion","created":1699000000,"model":"claude-3-opus","provider":"anthropic",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"Machine learning."},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":24,"completion_tokens":16,"total_tokens":40}})";
const std::string kChunk1 =
    R"({"id":"c","object":"chat.completion.chunk","created":1699000000,"model":"gpt-4-turbo","provider":"openai","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]})";
const std::string kChunk2 =
    R"({"id":"c","object":"chat.completion.chunk","created":1699000000,"model":"gpt-4-turbo","provider":"openai","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}]})";
const std::string kChunkEarlyStop =
    R"({"id":"c","object":"chat.completion.chunk","created":1699000000,"model":"gpt-4-turbo","provider":"openai","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}]})";
const std::string kChunk2NoStop =
    R"({"id":"c","object":"chat.completion.chunk","created":1699000000,"model":"gpt-4-turbo","provider":"openai","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":null}]})";
const std::string kUsage =
    R"({"id":"c","object":"chat.completion.chunk","created":1699000000,"model":"gpt-4-turbo","provider":"openai","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}})";
const std::string kBrokenChunk =
    R"({"id":"c","object":"chat.completion.chunk","created":"yesterday","model":"gpt-4-turbo","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]})";
const std::string kRateHeaders = "X-RateLimit-Limit: 100\r\nX-RateLimit-Remaining: 99\r\nX-RateLimit-Reset: 1795392000\r\n";

std::string sse(std::initializer_list<std::string> events) {
  std::string out;
  for (const auto& e : events) out += "data: " + e + "\n\n";
  return out;
}

std::string response(int status, const std::string& type, const std::string& body, const std::string& headers = kRateHeaders) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + type + "\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n" + headers + "\r\n" + body;
}

// Chunked, and the connection closes before the terminating chunk.
std::string cut_stream(const std::string& body) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx", body.size());
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n" + kRateHeaders + "\r\n" +
         size + "\r\n" + body + "\r\n";
}

struct Case {
  const char* name;
  std::string answer;       ///< the raw HTTP response
  std::string step;         ///< YAML of the step (one line of flow style)
  std::string failed_check; ///< prefix of the failing check's name; "" = every check passes
  std::string message;      ///< a part of its failure message
};

const std::string kChatStep =
    R"({operation: createChatCompletion, body: {model: gpt-4-turbo, messages: [{role: user, content: hi}]}, expect: {status: 200, contract: true}})";
const std::string kStreamStep =
    R"({operation: createChatCompletion, body: {model: gpt-4-turbo, messages: [{role: user, content: hi}], stream: true, stream_options: {include_usage: true}}, expect: {status: 200, contract: true}})";
const std::string kErrorStep =
    R"({operation: createChatCompletion, body: {model: gpt-9, messages: [{role: user, content: hi}]}, expect: {status: 404, contract: true, body: {/error/code: model_not_found}}})";
const std::string kHeaderStep =
    R"({operation: createChatCompletion, body: {model: gpt-4-turbo, messages: [{role: user, content: hi}]}, expect: {status: 200, headers: {X-RateLimit-Remaining: {matches: '^\d+$'}}}})";

std::vector<Case> cases() {
  std::string missing = kChat;
  missing.replace(missing.find(R"("object":"chat.completion",)"), 27, "");
  std::string wrong_type = kChat;
  wrong_type.replace(wrong_type.find("1699000000"), 10, R"("soon")");
  const std::string error_ok = R"({"error":{"message":"no such model","type":"invalid_request_error","param":"model","code":"model_not_found"}})";
  return {
      {"ConformantChat", response(200, "application/json", kChat), kChatStep, "", ""},
      {"MissingField", response(200, "application/json", missing), kChatStep, "contract createChatCompletion",
       "missing required property 'object'"},
      {"WrongType", response(200, "application/json", wrong_type), kChatStep, "contract createChatCompletion", "/created"},
      {"UndocumentedStatus", response(418, "application/json", R"({"error":"teapot"})"),
       R"({operation: createChatCompletion, body: {model: gpt-4-turbo, messages: [{role: user, content: hi}]}, expect: {status: 418, contract: true}})",
       "contract createChatCompletion", "418"},
      {"ConformantError", response(404, "application/json", error_ok), kErrorStep, "", ""},
      {"WrongErrorShape", response(404, "application/json", R"({"message":"no such model"})"), kErrorStep,
       "contract createChatCompletion", "error"},
      {"WrongErrorCode", response(404, "application/json", R"({"error":{"message":"m","type":"invalid_request_error","param":null,"code":"not_found"}})"),
       kErrorStep, "body /error/code", "\"not_found\", expected \"model_not_found\""},
      {"MissingRateLimitHeader", response(200, "application/json", kChat, ""), kHeaderStep, "header X-RateLimit-Remaining",
       "no X-RateLimit-Remaining header"},
      {"WrongContentType", response(200, "text/plain", "hello"), kChatStep, "contract createChatCompletion", "text/plain"},
      {"BodyNotJson", response(200, "application/json", "{\"id\": "), kChatStep, "contract createChatCompletion",
       "the body is not valid JSON though Content-Type is application/json"},
      {"ConformantStream", response(200, "text/event-stream", sse({kChunk1, kChunk2, kUsage, "[DONE]"})), kStreamStep, "", ""},
      {"ChunkSchemaBroken", response(200, "text/event-stream", sse({kBrokenChunk, kChunk2, kUsage, "[DONE]"})), kStreamStep,
       "stream", "event 0 /created"},
      {"NoDone", response(200, "text/event-stream", sse({kChunk1, kChunk2, kUsage})), kStreamStep, "stream",
       "without data: [DONE]"},
      {"CutStream", cut_stream(sse({kChunk1})), kStreamStep, "stream", "cut short"},
      {"FinishReasonTooEarly", response(200, "text/event-stream", sse({kChunkEarlyStop, kChunk2, kUsage, "[DONE]"})),
       kStreamStep, "stream", "after its finish_reason was set"},
      {"NoFinishReason", response(200, "text/event-stream", sse({kChunk1, kChunk2NoStop, kUsage, "[DONE]"})), kStreamStep,
       "stream", "no chunk set finish_reason"},
      {"UsageMissing", response(200, "text/event-stream", sse({kChunk1, kChunk2, "[DONE]"})), kStreamStep, "stream",
       "include_usage was asked"},
      {"InStreamError", response(200, "text/event-stream", sse({kChunk1, R"({"error":{"message":"upstream failed"}})", "[DONE]"})),
       kStreamStep, "stream", "in-stream error event"},
      {"NotAStream", response(200, "application/json", kChat), kStreamStep, "stream", "asked for a stream"},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class Violation : public ::testing::TestWithParam<Case> {};

TEST_P(Violation, IsReportedByName) {
  const Case& c = GetParam();
  test::RawServer server([&](boost::asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    boost::system::error_code ec;
    boost::asio::write(s, boost::asio::buffer(c.answer), ec);
    s.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  });
  const std::string yaml = "version: 1\ntarget: http://127.0.0.1:" + std::to_string(server.port()) +
                           "\nspec: " + test::spec("aiproxy.yaml").string() +
                           "\nscenarios:\n  s:\n    executor: iterations\n    iterations: 1\n    steps:\n      - " + c.step + "\n";
  const auto plan = scenario::parse_plan(yaml, "case.yaml", {});
  std::atomic<int> stop{0};
  const RunResult run = run_plan(plan, test::threads(1), stop);
  const auto& m = run.scenarios.at(0).steps.at(0).metrics;
  ASSERT_EQ(m.requests, 1);
  std::string failed;
  for (const auto& check : m.checks)
    if (check.failed) failed += "[" + check.name + ": " + (check.samples.empty() ? "" : check.samples[0].first) + "] ";
  if (c.failed_check.empty()) {
    EXPECT_EQ(m.checks_failed, 0) << failed;
    EXPECT_GT(m.checks_passed, 1);
    return;
  }
  bool found = false;
  for (const auto& check : m.checks)
    if (check.failed && check.name.starts_with(c.failed_check) && !check.samples.empty() &&
        check.samples[0].first.find(c.message) != std::string::npos)
      found = true;
  EXPECT_TRUE(found) << "expected a failed '" << c.failed_check << "' saying '" << c.message << "'; failed: " << failed;
  EXPECT_GT(m.error_count(), 0);
}

INSTANTIATE_TEST_SUITE_P(Checks, Violation, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });


// A target that echoes the key back: the failure message keeps the body's
// start, with the key masked.
TEST(Checks, FailureMessagesMaskTheKeys) {
  const std::string answer = response(401, "application/json",
                                      R"({"error":{"message":"Incorrect API key provided: sk-live-0123456789abcdef","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})");
  test::RawServer server([&](boost::asio::ip::tcp::socket& s) {
    test::RawServer::read_head(s);
    boost::system::error_code ec;
    boost::asio::write(s, boost::asio::buffer(answer), ec);
    s.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  });
  const std::string yaml = "version: 1\ntarget: http://127.0.0.1:" + std::to_string(server.port()) +
                           "\nscenarios:\n  s:\n    executor: iterations\n    iterations: 1\n    steps:\n"
                           "      - {path: /v1/models, headers: {Authorization: Bearer sk-live-0123456789abcdef}}\n";
  const auto plan = scenario::parse_plan(yaml, "mask.yaml", {});
  std::atomic<int> stop{0};
  const RunResult run = run_plan(plan, test::threads(1), stop);
  const auto& status = run.scenarios.at(0).steps.at(0).metrics.checks.at(0);
  ASSERT_EQ(status.failed, 1);
  const std::string& message = status.samples.at(0).first;
  EXPECT_NE(message.find("got 401, expected < 400"), std::string::npos) << message;
  EXPECT_NE(message.find("Incorrect API key provided: sk-l***"), std::string::npos) << message;
  EXPECT_EQ(message.find("0123456789abcdef"), std::string::npos) << message;
}

}  // namespace
}  // namespace tollgate::http
