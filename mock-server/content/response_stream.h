#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "mock-server/content/chat_answer.h"
#include "mock-server/model/fixture.h"
#include "net/http_types.h"

namespace tollgate::mock {

/// A response of the Responses API as typed Server-Sent Events, OpenAI
/// style: each `event: <type>` with `data:` JSON carrying the same `type`
/// and a `sequence_number` rising from 0. `response.created` and
/// `response.in_progress` (the response in progress, no output, usage
/// null); per output item `response.output_item.added`, then for a message
/// `response.content_part.added`, one `response.output_text.delta` per
/// token, `response.output_text.done` (the whole text),
/// `response.content_part.done`, or for a function call the arguments in
/// `response.function_call_arguments.delta` fragments and
/// `response.function_call_arguments.done`; `response.output_item.done`;
/// last `response.completed` (or `response.incomplete`) with the whole
/// response. No `[DONE]`. The first output item comes after the profile's
/// TTFT, each next delta after its inter-token latency.
class ResponseStream final : public net::StreamSource {
 public:
  /// `response` is the whole Response (response_object); `answer` the
  /// answer it was written from (its tokens are the deltas).
  ResponseStream(nlohmann::json response, ChatAnswer answer, LatencyProfile latency);
  bool next(net::StreamChunk& out) override;

 private:
  enum class Phase {
    kCreated, kInProgress, kItemAdded, kPartAdded, kTextDelta, kTextDone, kPartDone,
    kArgumentsDelta, kArgumentsDone, kItemDone, kFinal, kEnd
  };
  nlohmann::json in_progress() const;
  void emit(net::StreamChunk& out, nlohmann::json event, double delay_ms);

  nlohmann::json response_;
  ChatAnswer answer_;
  LatencyProfile latency_;
  Phase phase_ = Phase::kCreated;
  std::int64_t sequence_ = 0;
  std::size_t item_ = 0;   ///< the output item being streamed
  std::size_t at_ = 0;     ///< its next token, or its next arguments byte
  bool first_output_ = true;
};

/// A streamed Responses answer: text/event-stream, not cached.
net::HttpResponse response_stream_response(nlohmann::json response, ChatAnswer answer, LatencyProfile latency);

}  // namespace tollgate::mock
