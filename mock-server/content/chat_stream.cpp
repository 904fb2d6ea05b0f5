#include "mock-server/content/chat_stream.h"

#include <algorithm>

namespace tollgate::mock {

using nlohmann::json;

namespace {

json choice_logprobs(const ChatChoice& c, const std::vector<std::string>& tokens) {
  if (c.top_logprobs < 0) return nullptr;
  return {{"content", token_logprobs(tokens, c.top_logprobs)}, {"refusal", nullptr}};
}

json tool_calls_json(const std::vector<ToolCall>& calls) {
  json out = json::array();
  for (const auto& call : calls)
    out.push_back({{"id", call.id}, {"type", "function"}, {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
  return out;
}

json entry(std::size_t index, json delta, json finish) {
  return json{{"index", index}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", std::move(finish)}};
}

}  // namespace

std::size_t argument_fragment_end(const std::string& arguments, std::size_t at) {
  // About this many bytes, as OpenAI's fragments are (a few tokens each).
  constexpr std::size_t kArgumentFragment = 8;
  std::size_t end = std::min(arguments.size(), at + kArgumentFragment);
  while (end < arguments.size() && (static_cast<unsigned char>(arguments[end]) & 0xC0) == 0x80) ++end;
  return end;
}

ChatAnswer single_choice(Generation generation) {
  ChatAnswer a;
  a.completion_tokens = static_cast<std::int64_t>(generation.pieces.size());
  ChatChoice c;
  c.finish_reason = generation.finish_reason;
  c.text = std::move(generation);
  a.choices.push_back(std::move(c));
  return a;
}

std::string sse_event(const std::string& payload) { return "data: " + payload + "\n\n"; }

json chat_completion_body(json head, const ChatAnswer& answer, const Usage& usage) {
  head["object"] = "chat.completion";
  json choices = json::array();
  for (std::size_t i = 0; i < answer.choices.size(); ++i) {
    const ChatChoice& c = answer.choices[i];
    json message = {{"role", "assistant"}, {"refusal", nullptr}};
    if (c.tool_calls.empty()) {
      message["content"] = c.text.text();
    } else {
      message["content"] = nullptr;
      message["tool_calls"] = tool_calls_json(c.tool_calls);
    }
    choices.push_back({{"index", i},
                       {"message", std::move(message)},
                       {"logprobs", choice_logprobs(c, c.text.pieces)},
                       {"finish_reason", c.finish_reason}});
  }
  head["choices"] = std::move(choices);
  head["usage"] = usage.to_json();
  return head;
}

net::HttpResponse chat_stream_response(json head, ChatAnswer answer, Usage usage, bool include_usage,
                                       LatencyProfile latency) {
  head["object"] = "chat.completion.chunk";
  return event_stream_response(
      std::make_shared<ChatStream>(std::move(head), std::move(answer), usage, include_usage, latency));
}

net::HttpResponse event_stream_response(std::shared_ptr<net::StreamSource> events) {
  net::HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.stream = std::move(events);
  return r;
}

ChatStream::ChatStream(json base, ChatAnswer answer, Usage usage, bool include_usage, LatencyProfile latency)
    : base_(std::move(base)), answer_(std::move(answer)), usage_(usage), include_usage_(include_usage), latency_(latency) {}

// The `choices[0]` entry of the next chunk, built when it is sent (10,000
// streams in flight hold their answers, not their chunks). Per choice: its
// text tokens, or per tool call a naming delta and the argument fragments,
// then an empty delta with the finish reason.
bool ChatStream::next_entry(json& out) {
  while (choice_ < answer_.choices.size()) {
    const ChatChoice& c = answer_.choices[choice_];
    if (!c.tool_calls.empty()) {
      if (call_ < c.tool_calls.size()) {
        const ToolCall& call = c.tool_calls[call_];
        if (!named_) {
          json first = {{"tool_calls", json::array({{{"index", call_},
                                                     {"id", call.id},
                                                     {"type", "function"},
                                                     {"function", {{"name", call.name}, {"arguments", ""}}}}})}};
          if (call_ == 0) {
            first["role"] = "assistant";
            first["content"] = nullptr;
          }
          named_ = true;
          out = entry(choice_, std::move(first), nullptr);
          return true;
        }
        if (at_ < call.arguments.size()) {
          const std::size_t end = argument_fragment_end(call.arguments, at_);
          json fragment = {{"index", call_}, {"function", {{"arguments", call.arguments.substr(at_, end - at_)}}}};
          at_ = end;
          out = entry(choice_, {{"tool_calls", json::array({std::move(fragment)})}}, nullptr);
          return true;
        }
        ++call_;
        named_ = false;
        at_ = 0;
        continue;
      }
      out = entry(choice_, json::object(), c.finish_reason);
    } else if (c.text.pieces.empty()) {  // cut to nothing (a stop at the start)
      out = entry(choice_, {{"role", "assistant"}, {"content", ""}}, c.finish_reason);
    } else {
      const auto& pieces = c.text.pieces;
      json delta = {{"content", pieces[at_]}};
      if (at_ == 0) delta["role"] = "assistant";
      const bool last = at_ + 1 == pieces.size();
      out = entry(choice_, std::move(delta), last ? json(c.finish_reason) : json());
      out["logprobs"] = choice_logprobs(c, {pieces[at_]});
      if (!last) {
        ++at_;
        return true;
      }
    }
    ++choice_;  // this choice's last chunk
    call_ = 0;
    named_ = false;
    at_ = 0;
    return true;
  }
  return false;
}

bool ChatStream::next(net::StreamChunk& out) {
  out.delay = std::chrono::microseconds(0);
  switch (phase_) {
    case Phase::kChunks: {
      json e;
      if (!next_entry(e)) {
        phase_ = include_usage_ ? Phase::kUsage : Phase::kDone;
        return next(out);
      }
      json chunk = base_;
      chunk["choices"] = json::array({std::move(e)});
      out.delay = std::chrono::microseconds(
          static_cast<std::int64_t>((sent_ == 0 ? latency_.ttft_ms : latency_.itl_ms) * 1000.0));
      out.data = sse_event(chunk.dump());
      ++sent_;
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
