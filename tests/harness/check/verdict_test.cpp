// What an answer means for its step, without sockets: judge() and tally()
// on answers written out byte for byte.
#include "harness/check/verdict.h"

#include <gtest/gtest.h>

#include "common/printable.h"
#include "harness/http/response_parser.h"
#include "tests/support/paths.h"

namespace tollgate::check {
namespace {

using metrics::ErrorKind;
using nlohmann::json;

// The raw answer read in one piece, `arrived` after it was sent.
Response answer(const std::string& raw, std::chrono::nanoseconds arrived = {}) {
  Response r;
  http::ResponseParser p;
  p.start(r, false, {});
  p.feed(raw.data(), raw.size(), arrived);
  p.end_of_input();
  EXPECT_TRUE(p.done()) << p.error();
  return r;
}

Response json_answer(int status, const std::string& body, const std::string& headers = "") {
  return answer("HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" + headers +
                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

scenario::Step step_with(const std::string& yaml_expect, const std::string& extra = "") {
  const auto plan = scenario::parse_plan("version: 1\ntarget: http://127.0.0.1:1\nscenarios:\n  s:\n    executor: "
                                         "iterations\n    iterations: 1\n    steps:\n      - {path: /x, expect: " +
                                             yaml_expect + extra + "}\n",
                                         "verdict.yaml", {});
  return plan.scenarios.at(0).steps.at(0);
}

struct Judged {
  scenario::Step step;
  StepChecks checks;
  Verdict verdict;
  Judged(scenario::Step s) : step(std::move(s)), checks(step, nullptr) {}
  const Verdict& judge(const Response& r, const PollOutcome* poll = nullptr, std::vector<std::string> secrets = {}) {
    check::judge(checks, r, poll, secrets, verdict);
    return verdict;
  }
  std::string failure(std::size_t i = 0) const { return verdict.checks.failed.at(i).second; }
};

TEST(Verdict, NoAnswerIsItsTransportErrorAndEndsTheIteration) {
  Judged j(step_with("{status: 200}"));
  Response r;
  r.error = ErrorKind::kReset;
  const auto& v = j.judge(r);
  EXPECT_EQ(v.error, ErrorKind::kReset);
  EXPECT_FALSE(v.go_on);
  EXPECT_TRUE(v.checks.passed.empty());
  EXPECT_TRUE(v.checks.failed.empty()) << "no check runs without an answer";
}

TEST(Verdict, AWrongStatusIsAStatusErrorQuotingTheBody) {
  Judged j(step_with("{status: 200}"));
  const auto& v = j.judge(json_answer(429, R"({"error":"slow down"})"));
  EXPECT_EQ(v.error, ErrorKind::kStatus);
  EXPECT_FALSE(v.go_on) << "a wrong status ends the iteration (a failed body check does not)";
  EXPECT_EQ(j.failure(), R"(got 429, expected 200: {"error":"slow down"})");
}

TEST(Verdict, AnyOtherFailedCheckIsACheckErrorAndStatusWins) {
  Judged j(step_with("{status: 200, headers: {X-Id: {present: true}}, body: {/ok: true}}"));
  EXPECT_EQ(j.judge(json_answer(200, R"({"ok":true})", "X-Id: 1\r\n")).error, ErrorKind::kNone);
  EXPECT_EQ(j.verdict.checks.passed.size(), 3u);
  EXPECT_EQ(j.judge(json_answer(200, R"({"ok":false})", "X-Id: 1\r\n")).error, ErrorKind::kCheck);
  EXPECT_EQ(j.failure(), "/ok is false, expected true");
  EXPECT_TRUE(j.verdict.go_on) << "a failed body check does not end the iteration";
  EXPECT_EQ(j.judge(json_answer(500, R"({"ok":false})")).error, ErrorKind::kStatus);
  EXPECT_EQ(j.verdict.checks.failed.size(), 3u);
}

TEST(Verdict, AnUnexpected501IsUnsupportedNotAFailure) {
  Judged j(step_with("{status: 200}"));
  const auto& v = j.judge(json_answer(501, R"({"error":"key sk-live-0123456789abcdef cannot do this"})"), nullptr,
                          {"sk-live-0123456789abcdef"});
  EXPECT_TRUE(v.unsupported);
  EXPECT_EQ(v.error, ErrorKind::kNone);
  EXPECT_TRUE(v.go_on);
  EXPECT_TRUE(v.checks.passed.empty() && v.checks.failed.empty());
  EXPECT_NE(v.unsupported_message.find("sk-l****cdef"), std::string::npos) << v.unsupported_message;
  EXPECT_EQ(v.unsupported_message.find("0123456789"), std::string::npos);
  Judged expected(step_with("{status: 501}"));
  EXPECT_FALSE(expected.judge(json_answer(501, "{}")).unsupported) << "a 501 the step expects is an answer";
}

TEST(Verdict, SecretsAreMaskedInEveryMessage) {
  Judged j(step_with("{status: 200}"));
  j.judge(json_answer(401, R"({"error":"Incorrect API key provided: sk-live-0123456789abcdef"})"), nullptr,
          {"sk-live-0123456789abcdef"});
  EXPECT_NE(j.failure().find("sk-l****cdef"), std::string::npos) << j.failure();
  EXPECT_EQ(j.failure().find("0123456789"), std::string::npos);
}

TEST(Verdict, ExtractsFeedTheNextStepsOrEndTheIteration) {
  Judged j(step_with("{status: 200}", ", extract: {id: {body: /data/id}, rid: {header: X-Request-Id}}"));
  const auto& ok = j.judge(json_answer(200, R"({"data":{"id":42}})", "X-Request-Id: r-1\r\n"));
  EXPECT_EQ(ok.extracted.at("id"), 42);
  EXPECT_EQ(ok.extracted.at("rid"), "r-1");
  EXPECT_TRUE(ok.go_on);
  const auto& missing = j.judge(json_answer(200, R"({"data":{}})", "X-Request-Id: r-1\r\n"));
  EXPECT_EQ(missing.error, ErrorKind::kCheck);
  EXPECT_FALSE(missing.go_on) << "later steps would render without the value";
  EXPECT_EQ(j.failure(), "id: /data/id is not in the body");
}

TEST(Verdict, APollThatNeverMetItsValueFails) {
  Judged j(step_with("{status: 200}", ", poll: {until: {pointer: /state, in: [done]}, timeout: 5s}"));
  PollOutcome pending{false, true, "\"pending\""};
  const auto& v = j.judge(json_answer(200, R"({"state":"pending"})"), &pending);
  EXPECT_EQ(v.error, ErrorKind::kCheck);
  EXPECT_EQ(j.failure(), "after 5000ms /state is \"pending\"");
  PollOutcome met{true, false, "\"done\""};
  EXPECT_EQ(j.judge(json_answer(200, R"({"state":"done"})"), &met).error, ErrorKind::kNone);
}

TEST(Verdict, AStreamIsParsedCheckedAndMeasured) {
  Judged j(step_with("{status: 200, stream: true}"));
  const std::string sse = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n"
                          "data: [DONE]\n\n";
  Response r = answer("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
                      std::to_string(sse.size()) + "\r\n\r\n" + sse,
                      std::chrono::milliseconds(3));
  r.done = r.sent + std::chrono::milliseconds(4);
  const auto& v = j.judge(r);
  ASSERT_TRUE(v.stream);
  EXPECT_TRUE(v.stream_measured);
  EXPECT_EQ(v.stream->output_tokens, 1);
  EXPECT_EQ(v.error, ErrorKind::kNone);
  metrics::StepMetrics m;
  for (const auto& name : j.checks.names()) m.checks.push_back({name, 0, 0, {}});
  tally(v, m);
  ASSERT_TRUE(m.stream);
  EXPECT_EQ(m.stream->streams, 1);
  EXPECT_EQ(m.stream->ttft_us.max(), m.stream->ttft_us.highest_equivalent(3000));
  EXPECT_EQ(m.checks_passed, 2);
}

TEST(Verdict, ABrokenStreamKeepsItsTransportErrorAndIsJudged) {
  Judged j(step_with("{status: 200}"));
  Response r = json_answer(200, "{}");
  r.event_stream = true;
  r.error = ErrorKind::kReset;
  const auto& v = j.judge(r);
  EXPECT_EQ(v.error, ErrorKind::kReset);
  EXPECT_FALSE(v.go_on);
  EXPECT_EQ(v.checks.passed.size(), 1u) << "its status was seen";
  ASSERT_TRUE(v.stream);
  EXPECT_FALSE(v.stream->problems.empty()) << "a cut stream is a stream problem";
}

TEST(Verdict, CallbacksArriveAreMissedOrCannotBeMatched) {
  Judged j(step_with("{status: 200}", ", extract: {id: {body: /id}}, callback: {correlate: /id, equals: '{{id}}', "
                                      "timeout: 2s}"));
  Verdict v;
  CallbackOutcome missing;
  missing.missing = "id";
  judge_callback(j.checks, missing, {}, v);
  EXPECT_EQ(v.checks.failed.at(0).second, "{{id}} has no value to match the callback by");
  EXPECT_FALSE(v.callback_missed);
  CallbackOutcome none;
  none.value = "t-1";
  judge_callback(j.checks, none, {}, v);
  EXPECT_TRUE(v.callback_missed);
  EXPECT_EQ(v.error, ErrorKind::kCheck);
  EXPECT_EQ(v.checks.failed.at(0).second, "no callback with /id == \"t-1\" within 2000ms");
  CallbackOutcome came;
  came.value = "t-1";
  came.arrived = true;
  came.after_sent = std::chrono::milliseconds(250);
  judge_callback(j.checks, came, {}, v);
  EXPECT_EQ(v.error, ErrorKind::kNone);
  metrics::StepMetrics m;
  for (const auto& name : j.checks.names()) m.checks.push_back({name, 0, 0, {}});
  tally(v, m);
  EXPECT_EQ(m.flow->callbacks, 1);
  EXPECT_EQ(m.flow->callback_us.max(), m.flow->callback_us.highest_equivalent(250'000));
}

TEST(Verdict, TallyCountsEveryCheckAndErrorOnce) {
  Judged j(step_with("{status: 200, body: {/ok: true}}"));
  metrics::StepMetrics m;
  for (const auto& name : j.checks.names()) m.checks.push_back({name, 0, 0, {}});
  for (int i = 0; i < 3; ++i) tally(j.judge(json_answer(200, R"({"ok":true})")), m);
  tally(j.judge(json_answer(200, R"({"ok":1})")), m);
  EXPECT_EQ(m.checks_passed, 7);
  EXPECT_EQ(m.checks_failed, 1);
  EXPECT_EQ(m.checks[1].failed, 1);
  EXPECT_EQ(m.errors[static_cast<int>(ErrorKind::kCheck)], 1);
  EXPECT_EQ(m.error_count(), 1);
}

TEST(Verdict, TargetBytesThatAreNotUtf8AreEscapedInMessages) {
  Judged j(step_with("{status: 200, headers: {X-Id: {equals: a}}}"));
  // A 503 whose body is Latin-1 ("café"), a header with a 0xFF byte.
  j.judge(json_answer(503, "caf\xE9 indisponible", "X-Id: \xFFz\r\n"));
  EXPECT_EQ(j.failure(0), "got 503, expected 200: caf\\xE9 indisponible");
  EXPECT_EQ(j.failure(1), "X-Id is '\\xFFz', expected 'a'");
}

TEST(Verdict, ALongVietnameseBodyIsCutBetweenCharacters) {
  Judged j(step_with("{status: 200}"));
  std::string body;
  for (int i = 0; i < 40; ++i) body += "Lỗi xác thực ";  // many 2- and 3-byte characters
  j.judge(json_answer(400, body));
  const std::string m = j.failure();
  EXPECT_TRUE(is_utf8(m)) << m;
  EXPECT_TRUE(m.ends_with("\u2026")) << "a cut says so";
  EXPECT_LE(m.size(), std::string("got 400, expected 200: ").size() + 160 + 3);
}

TEST(Verdict, ASecretAtTheCutIsMaskedNotHalfShown) {
  Judged j(step_with("{status: 200}"));
  const std::string key = "sk-live-0123456789abcdef";
  // The cut at 160 falls inside the key; its masked form fits before it.
  const std::string body = std::string(140, 'x') + key + " was refused";
  j.judge(json_answer(401, body), nullptr, {key});
  EXPECT_EQ(j.failure().find("sk-live-01"), std::string::npos) << j.failure();
  EXPECT_NE(j.failure().find("sk-l****cdef"), std::string::npos) << j.failure();
}

}  // namespace
}  // namespace tollgate::check
