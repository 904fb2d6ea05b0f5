#pragma once
// What the mock answers to an OpenAI-style chat request: the choices (text,
// JSON for a response_format, or tool calls), cut by max tokens and stop
// sequences, with logprobs when asked. Deterministic: the same request
// always gets the same answer. Rendered by chat_stream.h, whole or as SSE.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock-server/content/textgen.h"

namespace tollgate::mock {

struct ToolCall {
  std::string id;         ///< "call_" + 24 hex digits
  std::string name;
  std::string arguments;  ///< JSON text valid against the tool's `parameters`
};

struct ChatChoice {
  Generation text;                  ///< the content's tokens (none when the choice calls tools)
  std::vector<ToolCall> tool_calls;  ///< when set, content is null and finish_reason "tool_calls"
  std::string finish_reason;
  int top_logprobs = -1;            ///< -1: no logprobs; else logprobs with this many alternatives
};

struct ChatAnswer {
  std::vector<ChatChoice> choices;
  std::int64_t completion_tokens = 0;  ///< over every choice
};

/// A request the mock refuses, as OpenAI words it.
struct ChatRefusal {
  std::string message;
  std::string param;
  std::string code;
};

/// How the mock reads a chat request into an answer:
/// - `n` choices (1..128), each from its own seed, so they differ;
/// - `tool_choice` "required" or a named function always calls (the named
///   one; for "required" the tools the last user message names, else the
///   first); "auto" (the default with tools) calls the tools the last user
///   message names and answers in text otherwise, and always in text after
///   a `tool` message (so an agent loop ends); "none" never calls.
///   `parallel_tool_calls: false` keeps one call. Arguments are generated
///   from each tool's `parameters` and valid against them;
/// - `response_format` json_object: a JSON object (the messages must say
///   "json", as OpenAI requires); json_schema: a value generated from the
///   schema (`strict: true` refuses a schema OpenAI's strict mode refuses);
/// - `max_completion_tokens` (or `max_tokens`) cuts the content
///   (`finish_reason: length`), `stop` cuts it before the first stop
///   sequence (`finish_reason: stop`);
/// - `logprobs` (with `top_logprobs` 0..20) adds a deterministic logprob per
///   content token.
/// `max_tokens` < 0 means no limit.
struct ChatPlan {
  std::optional<ChatAnswer> answer;
  std::optional<ChatRefusal> refused;
};
ChatPlan plan_chat(const nlohmann::json& body, const std::string& model, std::int64_t max_tokens);

/// The `logprobs.content` entries of a choice's tokens.
nlohmann::json token_logprobs(const std::vector<std::string>& tokens, int top);

}  // namespace tollgate::mock
