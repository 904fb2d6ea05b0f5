#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "mock-server/model/fixture.h"
#include "net/http_types.h"
#include "mock-server/content/textgen.h"

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

/// A chat completion as Server-Sent Events, OpenAI style: one
/// `chat.completion.chunk` per token (the first also carrying the role),
/// `finish_reason` null until the last content chunk, an optional usage
/// chunk with empty `choices`, then `data: [DONE]`. The first token comes
/// after the profile's TTFT, each next one after its inter-token latency.
class ChatStream final : public net::StreamSource {
 public:
  /// `base` holds the fields every chunk repeats (id, object, created,
  /// model, provider).
  ChatStream(nlohmann::json base, Generation generation, Usage usage, bool include_usage, LatencyProfile latency);
  bool next(net::StreamChunk& out) override;

 private:
  nlohmann::json base_;
  Generation generation_;
  Usage usage_;
  bool include_usage_;
  LatencyProfile latency_;
  std::size_t index_ = 0;
  enum class Phase { kTokens, kUsage, kDone, kEnd } phase_ = Phase::kTokens;
};

/// `data: <payload>\n\n`
std::string sse_event(const std::string& payload);

/// A whole (non-streamed) chat completion's body: `head` (the id, created,
/// model and provider fields as the family has them) with the object type,
/// one assistant choice holding the answer, and the usage.
nlohmann::json chat_completion_body(nlohmann::json head, const Generation& generation, const Usage& usage);

/// A streamed chat completion answer: text/event-stream, not cached, the
/// chunks of a ChatStream each repeating `head` (as above).
net::HttpResponse chat_stream_response(nlohmann::json head, Generation generation, Usage usage, bool include_usage,
                                       LatencyProfile latency);

}  // namespace tollgate::mock
