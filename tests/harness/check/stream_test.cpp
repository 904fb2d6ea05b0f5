// The streaming metric formulas on scripted streams with known timings
// (the arrival marks are the clock: no real time passes).
#include "harness/check/stream.h"

#include <gtest/gtest.h>

namespace tollgate::check {
namespace {

using namespace std::chrono_literals;

std::string chunk(const std::string& content, const char* finish = "null") {
  return R"(data: {"choices":[{"index":0,"delta":{"content":")" + content + R"("},"finish_reason":)" + finish + "}]}\n\n";
}

struct Scripted {
  std::string body;
  ArrivalMarks marks;
  void at(std::chrono::milliseconds t, const std::string& event) {
    body += event;
    marks.emplace_back(body.size(), t);
  }
};

TEST(StreamMetrics, FormulasOnAKnownTimeline) {
  Scripted s;
  s.at(40ms, R"(data: {"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]})" "\n\n");
  s.at(100ms, chunk("Hel"));
  s.at(150ms, chunk("lo"));
  s.at(230ms, chunk("!", "\"stop\""));
  s.at(240ms, R"(data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}})" "\n\n");
  s.at(250ms, "data: [DONE]\n\n");
  StreamExpectations e;
  e.usage = true;
  const auto r = analyze_stream(s.body, s.marks, 260ms, e);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  ASSERT_TRUE(r.ttft);
  EXPECT_EQ(*r.ttft, 100ms);  // the role-only chunk has no content
  ASSERT_EQ(r.itl.size(), 2u);
  EXPECT_EQ(r.itl[0], 50ms);
  EXPECT_EQ(r.itl[1], 80ms);
  EXPECT_EQ(r.output_tokens, 4);  // from usage, not the 3 chunks
  EXPECT_TRUE(r.tokens_from_usage);
  ASSERT_TRUE(r.tpot);
  EXPECT_EQ(*r.tpot, std::chrono::nanoseconds(160ms) / 3);  // (260 - 100) / (4 - 1)
  EXPECT_EQ(r.e2e, 260ms);
}

// As it arrives: a StreamReader fed the stream in pieces (one byte, a
// few, events split anywhere, CRLF split between reads) reports exactly
// what the whole stream does, with each event stamped when its last byte
// came; what it holds is the line in the making, not the stream.
TEST(StreamMetrics, JudgedAsItArrivesEqualsJudgedWhole) {
  Scripted s;
  s.at(40ms, R"(data: {"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]})" "\r\n\r\n");
  s.at(100ms, chunk("Hel"));
  s.at(150ms, ": keep-alive\n" + chunk("lo"));
  s.at(230ms, chunk("!", "\"stop\""));
  s.at(240ms, R"(data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}})" "\r\r");
  s.at(250ms, "data: [DONE]\n\ndata: {}\n\n");
  StreamExpectations e;
  e.usage = true;
  const auto whole = analyze_stream(s.body, s.marks, 260ms, e);
  ASSERT_EQ(whole.events, 7);
  ASSERT_EQ(whole.itl.size(), 2u);
  for (std::size_t piece : {1, 3, 7, 64}) {
    StreamReader reader;
    reader.start(&e, 1024);
    std::size_t at = 0;
    for (const auto& [bytes, t] : s.marks)
      for (; at < bytes; at += std::min(piece, bytes - at))
        ASSERT_TRUE(reader.feed(s.body.data() + at, std::min(piece, bytes - at), t));
    const auto r = reader.finish(260ms, true);
    EXPECT_EQ(r.events, whole.events) << piece;
    EXPECT_EQ(r.content_chunks, 3) << piece;
    EXPECT_EQ(r.ttft, 100ms) << piece;
    EXPECT_EQ(r.itl, whole.itl) << piece;
    EXPECT_EQ(r.output_tokens, whole.output_tokens) << piece;
    EXPECT_EQ(r.problems, whole.problems) << piece;
  }
  // What whole and pieces both find: usage under the streamed chunks, and
  // the event after [DONE].
  ASSERT_EQ(whole.problems.size(), 2u);
  EXPECT_NE(whole.problems[0].find("event 6 follows the terminator [DONE]"), std::string::npos) << whole.problems[0];
  EXPECT_NE(whole.problems[1].find("completion_tokens 2 is fewer than the 3 chunks"), std::string::npos) << whole.problems[1];
  // Cut inside an event: judged as it is, the cut named.
  StreamReader cut;
  cut.start(&e, 1024);
  const std::string part = chunk("Hel") + "data: {\"choi";
  cut.feed(part.data(), part.size(), 5ms);
  const auto c = cut.finish(6ms, false);
  EXPECT_EQ(c.events, 2);
  EXPECT_NE(c.problems.front().find("is not JSON"), std::string::npos) << c.problems.front();
  // An event over its bound is refused as it grows.
  StreamReader big;
  big.start(&e, 16);
  const std::string huge = "data: " + std::string(100, 'x');
  EXPECT_FALSE(big.feed(huge.data(), huge.size(), 1ms));
}

// Token accounting: a server that under-reports completion_tokens by one,
// or whose total is not prompt + completion, is caught; exact usage passes.
TEST(StreamMetrics, UsageThatDoesNotAddUpIsCaught) {
  auto stream = [](const std::string& usage) {
    Scripted s;
    s.at(100ms, chunk("Hel"));
    s.at(150ms, chunk("lo"));
    s.at(230ms, chunk("!", "\"stop\""));
    s.at(240ms, R"(data: {"choices":[],"usage":)" + usage + "}\n\n");
    s.at(250ms, "data: [DONE]\n\n");
    StreamExpectations e;
    e.usage = true;
    return analyze_stream(s.body, s.marks, 260ms, e).problems;
  };
  EXPECT_TRUE(stream(R"({"prompt_tokens":5,"completion_tokens":3,"total_tokens":8})").empty());
  const auto under = stream(R"({"prompt_tokens":5,"completion_tokens":2,"total_tokens":7})");
  ASSERT_EQ(under.size(), 1u);
  EXPECT_NE(under[0].find("completion_tokens 2 is fewer than the 3 chunks that carried output"), std::string::npos) << under[0];
  const auto total = stream(R"({"prompt_tokens":5,"completion_tokens":3,"total_tokens":9})");
  ASSERT_EQ(total.size(), 1u);
  EXPECT_NE(total[0].find("total_tokens 9 is not prompt_tokens + completion_tokens (5 + 3)"), std::string::npos) << total[0];
  // The Responses API's names; and a body's usage (no chunks to count).
  EXPECT_EQ(usage_problems(nlohmann::json::parse(R"({"input_tokens":4,"output_tokens":6,"total_tokens":10})"), 6).size(), 0u);
  EXPECT_EQ(usage_problems(nlohmann::json::parse(R"({"input_tokens":4,"output_tokens":6,"total_tokens":11})"), -1).size(), 1u);
  EXPECT_EQ(usage_problems(nlohmann::json::parse(R"({"prompt_tokens":4,"total_tokens":4})"), -1).size(), 0u);  // embeddings
  EXPECT_EQ(usage_problems(nlohmann::json::parse(R"({"prompt_tokens":-1,"completion_tokens":1})"), -1).size(), 1u);
}

// A streamed tool call as OpenAI sends it: the first delta names the call,
// the next ones carry fragments of its arguments, an empty delta finishes.
std::string call_delta(int index, const std::string& fields, const char* finish = "null") {
  return R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":)" + std::to_string(index) + "," + fields +
         R"(}]},"finish_reason":)" + finish + "}]}\n\n";
}

TEST(StreamMetrics, AToolCallStreamPassesAndItsFirstDeltaIsTtft) {
  Scripted s;
  s.at(30ms, R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]})" "\n\n");
  s.at(60ms, call_delta(0, R"("function":{"arguments":"{\"city\":"})"));
  s.at(90ms, call_delta(0, R"("function":{"arguments":"\"Paris\"}"})"));
  s.at(100ms, call_delta(1, R"("id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"})"));
  s.at(110ms, R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})" "\n\n");
  s.at(120ms, "data: [DONE]\n\n");
  const auto r = analyze_stream(s.body, s.marks, 130ms, {});
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  ASSERT_TRUE(r.ttft);
  EXPECT_EQ(*r.ttft, 30ms);  // the delta naming the call is the first output
  EXPECT_EQ(r.content_chunks, 4);

  // Fragments that do not join into JSON are a problem of the stream.
  Scripted bad;
  bad.at(10ms, call_delta(0, R"("id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":"})"));
  bad.at(20ms, R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})" "\n\n");
  bad.at(30ms, "data: [DONE]\n\n");
  const auto b = analyze_stream(bad.body, bad.marks, 40ms, {});
  ASSERT_EQ(b.problems.size(), 1u);
  EXPECT_EQ(b.problems[0], "tool call 0 of choice 0: the streamed arguments do not join into JSON: {\"a\":");
}

TEST(StreamMetrics, SeveralChoicesFinishEachOnTheirOwn) {
  const auto of = [](int index, const std::string& content, const char* finish = "null") {
    return R"(data: {"choices":[{"index":)" + std::to_string(index) + R"(,"delta":{"content":")" + content +
           R"("},"finish_reason":)" + finish + "}]}\n\n";
  };
  Scripted s;
  s.at(10ms, of(0, "A"));
  s.at(20ms, of(0, "B", "\"stop\""));
  s.at(30ms, of(1, "C"));  // n: 2, the second choice after the first finished
  s.at(40ms, of(1, "D", "\"length\""));
  s.at(50ms, of(1, "E"));  // but not after its own finish
  s.at(60ms, "data: [DONE]\n\n");
  const auto r = analyze_stream(s.body, s.marks, 70ms, {});
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0], "event 4 carries content for choice 1 after its finish_reason was set in event 3 "
                           "(finish_reason must stay null until the choice's final chunk)");
}

TEST(StreamMetrics, TokensAreCountedWithoutUsage) {
  Scripted s;
  s.at(10ms, chunk("a"));
  s.at(30ms, chunk("b", "\"stop\""));
  s.at(31ms, "data: [DONE]\n\n");
  const auto r = analyze_stream(s.body, s.marks, 31ms, {});
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.output_tokens, 2);
  EXPECT_FALSE(r.tokens_from_usage);
  EXPECT_EQ(*r.tpot, 21ms);  // (31 - 10) / (2 - 1)
}

TEST(StreamMetrics, AnEventSplitAcrossReadsArrivesWithItsLastByte) {
  Scripted s;
  const std::string e = chunk("x", "\"stop\"");
  s.at(10ms, e.substr(0, 20));
  s.at(70ms, e.substr(20));
  s.at(80ms, "data: [DONE]\n\n");
  const auto r = analyze_stream(s.body, s.marks, 80ms, {});
  EXPECT_EQ(*r.ttft, 70ms);
  EXPECT_FALSE(r.tpot);  // one token: no per-token time
}

TEST(StreamMetrics, EventsFollowTheSseGrammar) {
  bool incomplete = false;
  const auto events = parse_event_stream(": comment\r\nevent: error\r\ndata: a\r\ndata: b\r\n\r\ndata: tail", {}, &incomplete);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "error");
  EXPECT_EQ(events[0].data, "a\nb");
  EXPECT_EQ(events[1].data, "tail");
  EXPECT_TRUE(incomplete);
}

// A Responses API stream: typed events, `event:` named as the data's type,
// rising sequence numbers, no [DONE]; it ends with response.completed.
std::string typed(const std::string& type, int seq, const std::string& fields) {
  return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + std::to_string(seq) +
         (fields.empty() ? "" : "," + fields) + "}\n\n";
}

StreamExpectations typed_expectations() {
  StreamExpectations e;
  e.done.clear();
  e.end = {"response.completed", "response.incomplete", "response.failed"};
  return e;
}

Scripted responses_stream(const std::string& first_delta = "Hel", int last_seq = 7) {
  Scripted s;
  s.at(5ms, typed("response.created", 0, R"("response":{"status":"in_progress","usage":null})"));
  s.at(6ms, typed("response.output_item.added", 1, R"("output_index":0,"item":{"type":"message","id":"msg_1"})"));
  s.at(7ms, typed("response.content_part.added", 2, R"("item_id":"msg_1","output_index":0,"content_index":0)"));
  s.at(100ms, typed("response.output_text.delta", 3, R"("item_id":"msg_1","output_index":0,"content_index":0,"delta":")" + first_delta + "\""));
  s.at(150ms, typed("response.output_text.delta", 4, R"("item_id":"msg_1","output_index":0,"content_index":0,"delta":"lo")"));
  s.at(160ms, typed("response.output_text.done", 5, R"("item_id":"msg_1","output_index":0,"content_index":0,"text":"Hello")"));
  s.at(161ms, typed("response.output_item.done", 6, R"("output_index":0)"));
  s.at(170ms, typed("response.completed", last_seq, R"("response":{"status":"completed","usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}})"));
  return s;
}

TEST(StreamMetrics, AResponsesEventStreamPassesAndItsFirstDeltaIsTtft) {
  const Scripted s = responses_stream();
  const auto r = analyze_stream(s.body, s.marks, 175ms, typed_expectations());
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  ASSERT_TRUE(r.ttft);
  EXPECT_EQ(*r.ttft, 100ms);  // the events before the first delta carry no output
  ASSERT_EQ(r.itl.size(), 1u);
  EXPECT_EQ(r.itl[0], 50ms);
  EXPECT_EQ(r.output_tokens, 2);  // from response.usage.output_tokens
  EXPECT_TRUE(r.tokens_from_usage);
}

TEST(StreamMetrics, ResponsesStreamProblemsAreNamed) {
  const auto problems = [](const Scripted& s) {
    const auto r = analyze_stream(s.body, s.marks, 200ms, typed_expectations());
    std::string all;
    for (const auto& p : r.problems) all += p + "\n";
    return all;
  };
  // Deltas that do not join into what the .done event says.
  EXPECT_NE(problems(responses_stream("Jel")).find("carries \"Hello\" but the deltas before it join into \"Jello\""),
            std::string::npos)
      << problems(responses_stream("Jel"));
  // A sequence number that does not rise.
  EXPECT_NE(problems(responses_stream("Hel", 6)).find("has sequence_number 6, not above the previous event's 6"),
            std::string::npos);
  // No final event: the stream ended (or was cut) before response.completed.
  Scripted cut = responses_stream();
  cut.body.resize(cut.body.rfind("event: response.completed"));
  cut.marks.back().first = cut.body.size();
  EXPECT_NE(problems(cut).find("without an event of type response.completed, response.incomplete or response.failed"),
            std::string::npos)
      << problems(cut);
  // An event whose SSE name is not its type, an error event, a failed response.
  Scripted odd;
  odd.at(1ms, "event: response.created\ndata: {\"type\":\"response.in_progress\",\"sequence_number\":0}\n\n");
  odd.at(2ms, typed("error", 1, R"("message":"overloaded","code":"server_error")"));
  odd.at(3ms, typed("response.failed", 2, R"("response":{"status":"failed","error":{"code":"server_error","message":"boom"}})"));
  const std::string found = problems(odd);
  EXPECT_NE(found.find("is named 'response.created' but its data's type is 'response.in_progress'"), std::string::npos) << found;
  EXPECT_NE(found.find("in-stream error event"), std::string::npos) << found;
  EXPECT_NE(found.find("the response failed: {\"code\":\"server_error\",\"message\":\"boom\"}"), std::string::npos) << found;
  EXPECT_EQ(found.find("without an event of type"), std::string::npos) << "response.failed ends the stream";
  // Streamed function-call arguments that are not JSON.
  Scripted args;
  args.at(1ms, typed("response.function_call_arguments.delta", 0, R"("item_id":"fc_1","output_index":0,"delta":"{\"city\":")"));
  args.at(2ms, typed("response.completed", 1, R"("response":{"status":"completed"})"));
  EXPECT_NE(problems(args).find("the streamed arguments do not join into JSON"), std::string::npos) << problems(args);
}

}  // namespace
}  // namespace tollgate::check
