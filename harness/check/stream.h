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
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "contract/contract.h"

namespace tollgate::check {

/// (bytes of body received so far, time since the request was sent), one
/// entry per read; the body's arrival timeline.
using ArrivalMarks = std::vector<std::pair<std::size_t, std::chrono::nanoseconds>>;

struct StreamEvent {
  std::string event;  ///< the `event:` field, "" for the default
  std::string data;   ///< `data:` lines joined by '\n'
  std::chrono::nanoseconds arrived{0};  ///< since the request was sent
};

/// Splits an event stream into events (blank-line separated; comments and
/// unknown fields ignored), each stamped with when its last byte arrived.
/// An event not yet ended by a blank line when the body ends is returned
/// too, with `incomplete` set.
std::vector<StreamEvent> parse_event_stream(const std::string& body, const ArrivalMarks& marks, bool* incomplete = nullptr);

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
};

struct StreamExpectations {
  const contract::Contract* contract = nullptr;  ///< for the chunk schema
  const contract::MediaType* media = nullptr;    ///< text/event-stream of the operation's response
  std::string done = "[DONE]";    ///< the terminator payload; "" when `end` ends the stream
  std::vector<std::string> end;   ///< typed streams: the event types one of which ends the stream
  bool usage = false;     ///< the request asked stream_options.include_usage
  bool complete = true;   ///< the body was read to its end (false: the connection broke)
};

/// Checks a streamed body and measures it. `end` is when the response
/// ended, since the request was sent.
StreamReport analyze_stream(const std::string& body, const ArrivalMarks& marks, std::chrono::nanoseconds end,
                            const StreamExpectations& expect);

/// What a `usage` object says that cannot be: total_tokens other than
/// prompt + completion (input + output for the Responses API), a negative
/// count, or fewer output tokens than the `content_chunks` that carried
/// output (-1: not a stream, not checked). Empty: consistent.
std::vector<std::string> usage_problems(const nlohmann::json& usage, std::int64_t content_chunks);

}  // namespace tollgate::check
