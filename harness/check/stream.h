#pragma once
// Server-sent-event responses: the events with their arrival times, the
// streaming checks (every event parses and matches the chunk schema,
// finish_reason placement, usage when asked, the terminator or final event,
// cut streams, in-stream errors; for typed event streams such as OpenAI's
// Responses API also rising sequence numbers, `event:` names matching the
// data's type, and deltas joining into what the `.done` event says) and the
// LLM timings (TTFT, ITL, TPOT, end to end).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "contract/contract.h"
#include "harness/check/stream_events.h"

namespace tollgate::check {

/// A conversation's answer is kept up to this many bytes (the rest is not
/// sent back in the next turn): what a hostile server streams cannot make
/// every later turn carry gigabytes.
inline constexpr std::size_t kMaxAnswer = 1024 * 1024;

/// How many of `text`'s first `max` bytes to keep without cutting a UTF-8
/// sequence in two (the answer goes back into JSON).
inline std::size_t utf8_cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

struct StreamReport {
  std::vector<std::string> problems;  ///< empty: the stream conforms
  std::int64_t events = 0;
  std::int64_t content_chunks = 0;
  std::int64_t output_tokens = 0;
  bool tokens_from_usage = false;
  std::optional<std::chrono::nanoseconds> ttft;
  std::vector<std::chrono::nanoseconds> itl;  ///< gaps between content chunks
  std::optional<std::chrono::nanoseconds> tpot;
  std::chrono::nanoseconds e2e{0};
  /// With StreamExpectations::collect: the first choice's streamed content
  /// (a typed stream: its output_text deltas), joined.
  std::string content;
};

struct StreamExpectations {
  const contract::Contract* contract = nullptr;  ///< for the chunk schema
  const contract::MediaType* media = nullptr;    ///< text/event-stream of the operation's response
  std::string done = "[DONE]";    ///< the terminator payload; "" when `end` ends the stream
  std::vector<std::string> end;   ///< typed streams: the event types one of which ends the stream
  bool usage = false;     ///< the request asked stream_options.include_usage
  bool collect = false;   ///< keep the first choice's content (StreamReport::content), kMaxAnswer at most
  bool complete = true;   ///< the body was read to its end (false: the connection broke)
};

/// An event stream checked and measured as it arrives: each event is
/// judged and forgotten, so a stream costs its state (counts, the open
/// tool calls' arguments, the gaps between tokens), never its bytes.
class StreamReader {
 public:
  StreamReader();
  ~StreamReader();
  StreamReader(const StreamReader& other);
  StreamReader& operator=(const StreamReader& other);
  StreamReader(StreamReader&&) noexcept;
  StreamReader& operator=(StreamReader&&) noexcept;

  /// A new stream, judged by `expect` (null: a [DONE]-terminated stream,
  /// no schema); it must outlive the stream. Events over `max_event`
  /// bytes fail the stream (feed returns false).
  void start(const StreamExpectations* expect, std::size_t max_event);
  /// Bytes of the body that arrived `arrived` after the request was sent.
  bool feed(const char* data, std::size_t n, std::chrono::nanoseconds arrived);
  /// The report of what arrived; `end` is when the response ended, since
  /// the request was sent; `complete`: the body was read to its end.
  StreamReport finish(std::chrono::nanoseconds end, bool complete) const;

 private:
  struct State;
  EventSplitter split_;
  std::unique_ptr<State> state_;
};

/// Checks a whole streamed body and measures it (its reads replayed into
/// a StreamReader, `expect.complete` as how it ended). `end` is when the
/// response ended, since the request was sent.
StreamReport analyze_stream(const std::string& body, const ArrivalMarks& marks, std::chrono::nanoseconds end,
                            const StreamExpectations& expect);

/// What a `usage` object says that cannot be: total_tokens other than
/// prompt + completion (input + output for the Responses API), a negative
/// count, or fewer output tokens than the `content_chunks` that carried
/// output (-1: not a stream, not checked). Empty: consistent.
std::vector<std::string> usage_problems(const nlohmann::json& usage, std::int64_t content_chunks);

}  // namespace tollgate::check
