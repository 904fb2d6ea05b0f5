#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock-server/content/chat_answer.h"
#include "mock-server/content/textgen.h"
#include "mock-server/model/fixture.h"
#include "net/http_types.h"

namespace tollgate::mock {

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  nlohmann::json to_json() const {
    return {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", completion_tokens},
            {"total_tokens", prompt_tokens + completion_tokens}};
  }
};

/// An answer of one text choice (what the families without tools and
/// response formats send).
ChatAnswer single_choice(Generation generation);

/// A chat completion as Server-Sent Events, OpenAI style. For each choice
/// in turn: a text choice sends one `chat.completion.chunk` per token (the
/// first also carrying the role), `finish_reason` null until its last
/// content chunk; a tool-call choice sends, per call, a chunk with its
/// `index`, `id`, `type` and `function.name` and empty arguments, then the
/// arguments in fragments, then an empty delta with `finish_reason:
/// "tool_calls"`. Then an optional usage chunk with empty `choices`, then
/// `data: [DONE]`. The first chunk comes after the profile's TTFT, each
/// next one after its inter-token latency.
class ChatStream final : public net::StreamSource {
 public:
  /// `base` holds the fields every chunk repeats (id, object, created,
  /// model, provider).
  ChatStream(nlohmann::json base, ChatAnswer answer, Usage usage, bool include_usage, LatencyProfile latency);
  bool next(net::StreamChunk& out) override;

 private:
  bool next_entry(nlohmann::json& out);

  nlohmann::json base_;
  ChatAnswer answer_;
  Usage usage_;
  bool include_usage_;
  LatencyProfile latency_;
  std::size_t sent_ = 0;    ///< chunks sent
  std::size_t choice_ = 0;  ///< the choice being streamed
  std::size_t call_ = 0;    ///< its tool call being streamed
  bool named_ = false;      ///< that call's naming delta is sent
  std::size_t at_ = 0;      ///< the next token, or the next arguments byte
  enum class Phase { kChunks, kUsage, kDone, kEnd } phase_ = Phase::kChunks;
};

/// `data: <payload>\n\n`
std::string sse_event(const std::string& payload);

/// Where the streamed fragment of tool-call arguments starting at `at`
/// ends: about 8 bytes on, on a character boundary (each fragment is valid
/// UTF-8).
std::size_t argument_fragment_end(const std::string& arguments, std::size_t at);

/// A whole (non-streamed) chat completion's body: `head` (the id, created,
/// model and provider fields as the family has them) with the object type,
/// one assistant choice per answer choice (content, or null and
/// `tool_calls`; `logprobs` when asked), and the usage.
nlohmann::json chat_completion_body(nlohmann::json head, const ChatAnswer& answer, const Usage& usage);

/// A 200 text/event-stream answer, not cached, sending `events`.
net::HttpResponse event_stream_response(std::shared_ptr<net::StreamSource> events);

/// A streamed chat completion answer: text/event-stream, not cached, the
/// chunks of a ChatStream each repeating `head` (as above).
net::HttpResponse chat_stream_response(nlohmann::json head, ChatAnswer answer, Usage usage, bool include_usage,
                                       LatencyProfile latency);

}  // namespace tollgate::mock
