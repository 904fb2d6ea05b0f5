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

}  // namespace
}  // namespace tollgate::check
