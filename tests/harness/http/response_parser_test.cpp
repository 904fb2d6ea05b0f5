// The response parser on bytes as they arrive: whole, split at every
// boundary, chunked, delimited by the close, interim answers, and the
// broken and hostile ones.
#include "harness/http/response_parser.h"

#include <gtest/gtest.h>

namespace tollgate::http {
namespace {

using Failure = ResponseParser::Failure;

struct Parsed {
  check::Response r;
  ResponseParser p;
  std::size_t used = 0;
};

// Feeds `raw` in pieces of `piece` bytes (0: whole); `eof` ends the input.
std::unique_ptr<Parsed> parse(const std::string& raw, std::size_t piece = 0, bool eof = false, bool head = false,
                              ResponseParser::Limits limits = {}) {
  auto out = std::make_unique<Parsed>();
  out->p.start(out->r, head, limits);
  const std::size_t step = piece ? piece : raw.size();
  for (std::size_t at = 0; at < raw.size() && !out->p.done() && !out->p.failed(); at += step) {
    const std::size_t n = std::min(step, raw.size() - at);
    const std::size_t used = out->p.feed(raw.data() + at, n);
    out->used = at + used;
    if (used < n) break;
  }
  if (eof) out->p.end_of_input();
  return out;
}

const std::string kSimple =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-RateLimit-Remaining:  7 \r\nContent-Length: 11\r\n\r\n"
    "{\"ok\":true}";

TEST(ResponseParser, AWholeAnswer) {
  const auto p = parse(kSimple);
  ASSERT_TRUE(p->p.done()) << p->p.error();
  EXPECT_EQ(p->r.status, 200);
  EXPECT_EQ(p->r.body, "{\"ok\":true}");
  EXPECT_EQ(p->r.header("content-type"), "application/json");
  EXPECT_EQ(p->r.header("X-RATELIMIT-REMAINING"), "7") << "any case, spaces trimmed";
  EXPECT_FALSE(p->r.header("missing"));
  EXPECT_TRUE(p->p.keep_alive());
  EXPECT_EQ(p->used, kSimple.size());
  EXPECT_EQ(p->r.fields.size(), 3u);
}

TEST(ResponseParser, TheSameAnswerSplitAtEveryBoundary) {
  for (std::size_t piece = 1; piece < 9; ++piece) {
    const auto p = parse(kSimple, piece);
    ASSERT_TRUE(p->p.done()) << piece;
    EXPECT_EQ(p->r.body, "{\"ok\":true}") << piece;
    EXPECT_EQ(p->r.header("content-length"), "11") << piece;
  }
}

TEST(ResponseParser, ChunkedWithExtensionsAndTrailers) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
      "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n";
  for (std::size_t piece : {0, 1, 3, 7}) {
    const auto p = parse(raw, static_cast<std::size_t>(piece));
    ASSERT_TRUE(p->p.done()) << piece << ": " << p->p.error();
    EXPECT_EQ(p->r.body, "hello, world");
    EXPECT_TRUE(p->r.event_stream);
    EXPECT_EQ(p->used, raw.size());
  }
}

TEST(ResponseParser, ABodyDelimitedByTheClose) {
  const auto p = parse("HTTP/1.0 200 OK\r\n\r\nall of it", 0, true);
  ASSERT_TRUE(p->p.done());
  EXPECT_EQ(p->r.body, "all of it");
  EXPECT_FALSE(p->p.keep_alive());
}

TEST(ResponseParser, InterimAnswersAreSkipped) {
  for (std::size_t piece : {0, 1, 2, 5, 9}) {
    const auto p = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + kSimple,
                         piece);
    ASSERT_TRUE(p->p.done()) << piece;
    EXPECT_EQ(p->r.status, 200) << piece;
    EXPECT_FALSE(p->r.header("link")) << "the interim answer's headers are not the final one's";
    EXPECT_EQ(p->r.header("content-length"), "11") << piece;
    EXPECT_EQ(p->r.body, "{\"ok\":true}") << piece;
  }
}

TEST(ResponseParser, NoBodyForHeadOr204Or304) {
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 0, false, true)->p.done());
  EXPECT_TRUE(parse("HTTP/1.1 204 No Content\r\n\r\n")->p.done());
  EXPECT_TRUE(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n")->p.done());
}

TEST(ResponseParser, ConnectionHeadersDecideKeepAlive) {
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n")->p.keep_alive());
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")->p.keep_alive());
  EXPECT_TRUE(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")->p.keep_alive());
}

TEST(ResponseParser, LeavesTheNextAnswersBytes) {
  const auto p = parse(kSimple + "HTTP/1.1 204 No Content\r\n\r\n");
  ASSERT_TRUE(p->p.done());
  EXPECT_EQ(p->used, kSimple.size());
}

TEST(ResponseParser, BytesAreBytes) {
  const std::string body = std::string("\xff\xfe\x00\x80 latin-1 \xe9", 14);
  const auto p = parse("HTTP/1.1 503 X\r\nContent-Length: 14\r\n\r\n" + body);
  ASSERT_TRUE(p->p.done());
  EXPECT_EQ(p->r.body, body);
}

TEST(ResponseParser, BrokenAnswersFailWithTheirKind) {
  EXPECT_EQ(parse("", 0, true)->p.failure(), Failure::kClosedEarly);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, true)->p.failure(), Failure::kPartial);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-", 0, true)->p.failure(), Failure::kPartial);
  EXPECT_EQ(parse("SMTP ready\r\n\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 000 Zero\r\n\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 2x0 OK\r\n\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 700 Beyond\r\n\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 600 Beyond\r\n\r\n")->p.error(), "status 600 is not an HTTP status (100-599)");
  EXPECT_EQ(parse("HTTP/1.1 599 Edge\r\nContent-Length: 0\r\n\r\n")->r.status, 599);
  // Never asked for an upgrade: what follows a 101 is not HTTP/1.1.
  EXPECT_EQ(parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")->p.failure(), Failure::kMalformed);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n")->p.failure(),
            Failure::kMalformed);
}

TEST(ResponseParser, LimitsBoundHeadAndBody) {
  ResponseParser::Limits small{64, 8};
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a') + "\r\n\r\n", 0, false, false, small)->p.failure(),
            Failure::kTooLarge);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 0, false, false, small)->p.failure(),
            Failure::kTooLarge);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n", 0, false, false,
                  small)
                ->p.failure(),
            Failure::kTooLarge);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\n\r\n0123456789", 0, false, false, small)->p.failure(), Failure::kTooLarge);
}

TEST(ResponseParser, KeepsOnlyWhatTheChecksRead) {
  ResponseParser::Limits keep4{64 * 1024, 1024, 4};
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n";
  for (std::size_t piece : {0, 1, 3}) {
    const auto p = parse(chunked, piece, false, false, keep4);
    ASSERT_TRUE(p->p.done()) << piece;
    EXPECT_EQ(p->r.body, "1234") << "the first bytes, for a message to quote";
    EXPECT_EQ(p->r.body_size, 10u) << "all of them counted";
  }
  // Dropped bytes still count against max_body: an endless body ends.
  ResponseParser::Limits small{64 * 1024, 8, 4};
  const auto endless = parse("HTTP/1.1 200 OK\r\n\r\n" + std::string(100, 'x'), 7, false, false, small);
  EXPECT_EQ(endless->p.failure(), Failure::kTooLarge);
  EXPECT_LE(endless->r.body.size(), 4u);
  // An event stream is kept by its own bound (whole by default), and its
  // events are judged as they come whether its bytes are kept or not.
  const std::string stream = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 15\r\n\r\ndata: {}\n\ndata:";
  const auto sse = parse(stream, 0, false, false, {64 * 1024, 1024, 4});
  ASSERT_TRUE(sse->p.done());
  EXPECT_EQ(sse->r.body, "data: {}\n\ndata:");
  const auto lean = parse(stream, 3, false, false, {64 * 1024, 1024, 4, 1024, 6});
  ASSERT_TRUE(lean->p.done());
  EXPECT_EQ(lean->r.body, "data: ");
  EXPECT_EQ(lean->r.body_size, 15u);
  const auto report = lean->r.stream.finish(std::chrono::milliseconds(1), true);
  EXPECT_EQ(report.events, 2) << "the event {} and the one cut short";
}

TEST(ResponseParser, AnEventLargerThanMaxEventFails) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
  ResponseParser::Limits limits{64 * 1024, 1 << 20, static_cast<std::size_t>(-1), 16};
  // Many small events, each ended by LF, CRLF or CR: fine, however many.
  std::string many;
  for (int i = 0; i < 50; ++i) many += i % 3 == 0 ? "data: 0123456\n\n" : i % 3 == 1 ? "data: 0123456\r\n\r\n" : "data: 0123456\r\r";
  for (std::size_t piece : {0, 1, 5}) {
    const auto ok = parse(head + many, piece, true, false, limits);
    EXPECT_TRUE(ok->p.done()) << piece << ": " << ok->p.error();
  }
  // One event of two lines over 16 bytes: a protocol error, named.
  const auto big = parse(head + "data: 0123456\ndata: 0123456\n\n", 1, true, false, limits);
  ASSERT_EQ(big->p.failure(), Failure::kTooLarge);
  EXPECT_NE(big->p.error().find("an event of the stream is larger than 16 bytes"), std::string::npos) << big->p.error();
  EXPECT_LE(big->r.body.size(), 30u) << "not buffered past the limit";
}

}  // namespace
}  // namespace tollgate::http
