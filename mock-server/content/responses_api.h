#pragma once
// OpenAI's Responses API on the chat answerer: a Responses request is read
// into a chat request (plan_chat answers it), and the answer is written as a
// Response object with `message` or `function_call` output items. Rendered
// whole here, or as typed events by response_stream.h.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mock-server/content/chat_answer.h"
#include "mock-server/content/chat_stream.h"

namespace tollgate::mock {

/// The chat request a Responses request makes, or why the mock refuses it.
struct ResponsesAsChat {
  nlohmann::json chat;  ///< a chat completion body: model, messages, tools, tool_choice, response_format, ...
  std::optional<ChatRefusal> refused;
  std::size_t conversation_from = 0;  ///< the first message that is not the instructions
};

/// The chat message an item of a stored response stands for
/// (`item_reference`), or nullopt when no stored item has that id.
using ItemLookup = std::function<std::optional<nlohmann::json>(const std::string& id)>;

/// Reads a Responses request as a chat request:
/// - `instructions` becomes a leading developer message; `history` (the
///   stored conversation of `previous_response_id`, chat messages) comes
///   next, then `input`: a string is one user message; items are messages
///   (input_text/output_text parts read as text), `function_call` items
///   (consecutive ones one assistant message with `tool_calls`),
///   `function_call_output` items (`tool` messages), `item_reference`s
///   (looked up), `reasoning` items (skipped);
/// - function `tools` in the flat format become chat tools; a hosted tool
///   type (web_search, file_search, ...) is refused, the mock cannot run it;
///   `tool_choice` `{type: function, name}` names one;
/// - `text.format` becomes `response_format`; `max_output_tokens`
///   `max_completion_tokens`; `top_logprobs` (or `include`
///   "message.output_text.logprobs") asks for logprobs.
ResponsesAsChat responses_as_chat(const nlohmann::json& body, const nlohmann::json& history, const ItemLookup& lookup);

/// A refusal of plan_chat named in the Responses API's terms (`input` for
/// `messages`, `text.format` for `response_format`, `tools[i].parameters`).
ChatRefusal in_responses_terms(ChatRefusal refusal);

/// The fields of a Response the request decides, whatever the answer.
struct ResponseHead {
  std::string id;        ///< "resp_..."
  std::int64_t created_at = 0;
  std::string model;
  std::string provider;
};

/// The `id` of output item `index` of response `response_id`: "msg_..." for
/// a message, "fc_..." for a function call; the same every time.
std::string output_item_id(const std::string& response_id, std::size_t index, bool function_call);

/// The output items of an answer's first choice: one `message` (an
/// `output_text` part, with `logprobs` when asked) or one `function_call`
/// per tool call.
nlohmann::json output_items(const std::string& response_id, const ChatAnswer& answer, const std::string& status);

/// The whole Response: the head, the request's echoed settings
/// (instructions, tools, tool_choice, text, temperature, ...), `output`,
/// `status` (`incomplete` with `incomplete_details.reason`
/// `max_output_tokens` when max tokens cut the text) and `usage`.
nlohmann::json response_object(const ResponseHead& head, const nlohmann::json& request, const ChatAnswer& answer,
                                const Usage& usage);

/// The chat messages an answer adds to the conversation (what a later
/// `previous_response_id` continues from).
nlohmann::json answer_messages(const ChatAnswer& answer);

}  // namespace tollgate::mock
