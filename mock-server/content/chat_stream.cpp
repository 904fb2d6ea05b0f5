#include "mock-server/content/chat_stream.h"

#include <algorithm>

namespace tollgate::mock {

using nlohmann::json;

namespace {

// Tool-call arguments stream in fragments of about this many bytes, as
// OpenAI's do (a few tokens each).
constexpr std::size_t kArgumentFragment = 8;

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

// The `choices[0]` entry of every chunk of one choice, in order.
void stream_entries(const ChatChoice& c, std::size_t index, std::vector<json>& out) {
  const auto entry = [&](json delta, json finish) {
    return json{{"index", index}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", std::move(finish)}};
  };
  if (!c.tool_calls.empty()) {
    for (std::size_t k = 0; k < c.tool_calls.size(); ++k) {
      const ToolCall& call = c.tool_calls[k];
      json first = {{"tool_calls", json::array({{{"index", k},
                                                 {"id", call.id},
                                                 {"type", "function"},
                                                 {"function", {{"name", call.name}, {"arguments", ""}}}}})}};
      if (k == 0) {
        first["role"] = "assistant";
        first["content"] = nullptr;
      }
      out.push_back(entry(std::move(first), nullptr));
      // Fragments end on character boundaries: each one is valid UTF-8.
      for (std::size_t at = 0, end = 0; at < call.arguments.size(); at = end) {
        end = std::min(call.arguments.size(), at + kArgumentFragment);
        while (end < call.arguments.size() && (static_cast<unsigned char>(call.arguments[end]) & 0xC0) == 0x80) ++end;
        json fragment = {{"index", k}, {"function", {{"arguments", call.arguments.substr(at, end - at)}}}};
        out.push_back(entry({{"tool_calls", json::array({std::move(fragment)})}}, nullptr));
      }
    }
    out.push_back(entry(json::object(), c.finish_reason));
    return;
  }
  const auto& pieces = c.text.pieces;
  if (pieces.empty()) {  // cut to nothing (max tokens 0, a stop at the start)
    out.push_back(entry({{"role", "assistant"}, {"content", ""}}, c.finish_reason));
    return;
  }
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    json delta = {{"content", pieces[i]}};
    if (i == 0) delta["role"] = "assistant";
    json e = entry(std::move(delta), i + 1 == pieces.size() ? json(c.finish_reason) : json());
    e["logprobs"] = choice_logprobs(c, {pieces[i]});
    out.push_back(std::move(e));
  }
}

}  // namespace

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

net::HttpResponse chat_stream_response(json head, const ChatAnswer& answer, Usage usage, bool include_usage,
                                       LatencyProfile latency) {
  head["object"] = "chat.completion.chunk";
  net::HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.stream = std::make_shared<ChatStream>(std::move(head), answer, usage, include_usage, latency);
  return r;
}

ChatStream::ChatStream(json base, const ChatAnswer& answer, Usage usage, bool include_usage, LatencyProfile latency)
    : base_(std::move(base)), usage_(usage), include_usage_(include_usage), latency_(latency) {
  for (std::size_t i = 0; i < answer.choices.size(); ++i) stream_entries(answer.choices[i], i, choices_);
}

bool ChatStream::next(net::StreamChunk& out) {
  out.delay = std::chrono::microseconds(0);
  switch (phase_) {
    case Phase::kChunks: {
      if (index_ >= choices_.size()) {
        phase_ = include_usage_ ? Phase::kUsage : Phase::kDone;
        return next(out);
      }
      json chunk = base_;
      chunk["choices"] = json::array({std::move(choices_[index_])});
      out.delay = std::chrono::microseconds(
          static_cast<std::int64_t>((index_ == 0 ? latency_.ttft_ms : latency_.itl_ms) * 1000.0));
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
