#include "mock-server/content/chat_stream.h"

namespace tollgate::mock {

using nlohmann::json;

std::string sse_event(const std::string& payload) { return "data: " + payload + "\n\n"; }

json chat_completion_body(json head, const Generation& generation, const Usage& usage) {
  head["object"] = "chat.completion";
  head["choices"] = json::array({{{"index", 0},
                                  {"message", {{"role", "assistant"}, {"content", generation.text()}}},
                                  {"finish_reason", generation.finish_reason}}});
  head["usage"] = usage.to_json();
  return head;
}

net::HttpResponse chat_stream_response(json head, Generation generation, Usage usage, bool include_usage,
                                       LatencyProfile latency) {
  head["object"] = "chat.completion.chunk";
  net::HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.stream = std::make_shared<ChatStream>(std::move(head), std::move(generation), usage, include_usage, latency);
  return r;
}

ChatStream::ChatStream(json base, Generation generation, Usage usage, bool include_usage, LatencyProfile latency)
    : base_(std::move(base)), generation_(std::move(generation)), usage_(usage), include_usage_(include_usage),
      latency_(latency) {}

bool ChatStream::next(net::StreamChunk& out) {
  out.delay = std::chrono::microseconds(0);
  switch (phase_) {
    case Phase::kTokens: {
      if (index_ >= generation_.pieces.size()) {
        phase_ = include_usage_ ? Phase::kUsage : Phase::kDone;
        return next(out);
      }
      const bool first = index_ == 0;
      const bool last = index_ + 1 == generation_.pieces.size();
      json delta = {{"content", generation_.pieces[index_]}};
      if (first) delta["role"] = "assistant";
      json chunk = base_;
      chunk["choices"] = json::array(
          {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", last ? json(generation_.finish_reason) : json()}}});
      out.delay = std::chrono::microseconds(
          static_cast<std::int64_t>((first ? latency_.ttft_ms : latency_.itl_ms) * 1000.0));
      out.data = sse_event(chunk.dump());
      ++index_;
      return true;
    }
    case Phase::kUsage: {
      json chunk = base_;
      chunk["choices"] = json::array();
      chunk["usage"] = usage_.to_json();
      out.data = sse_event(chunk.dump());
      phase_ = Phase::kDone;
      return true;
    }
    case Phase::kDone:
      out.data = sse_event("[DONE]");
      phase_ = Phase::kEnd;
      return true;
    case Phase::kEnd:
      return false;
  }
  return false;
}

}  // namespace tollgate::mock
