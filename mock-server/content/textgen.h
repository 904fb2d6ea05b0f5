#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tollgate::mock {

/// The mock's token-counting rule: every maximal run of letters and digits
/// (ASCII, or any run of non-ASCII bytes) is one token, and every other
/// non-space character is one token of its own. "Hello, world!" is 4 tokens.
std::int64_t count_tokens(std::string_view text);

/// A deterministic answer: the same model and prompt always give the same
/// text. `pieces` are its tokens as streamed (words carry their leading
/// space), so count_tokens(text) == pieces.size().
struct Generation {
  std::vector<std::string> pieces;
  std::string finish_reason;  ///< "stop", or "length" when cut at max_tokens
  std::string text() const;
};

/// Generates 8..47 tokens seeded by FNV-1a of model and prompt, cut at
/// `max_tokens`.
Generation generate_text(std::string_view model, std::string_view prompt, std::int64_t max_tokens);

/// A deterministic unit-length vector of `dimensions` floats for `input`.
std::vector<float> embed(std::string_view model, std::string_view input, int dimensions);

/// Little-endian float32 bytes in base64 (OpenAI's `encoding_format: base64`).
std::string floats_base64(const std::vector<float>& values);

/// `text` cut into tokens by count_tokens' rule, each carrying the spaces
/// before it: the pieces join back to `text`.
std::vector<std::string> split_tokens(std::string_view text);

/// A message's `content` as text: a string, or the `text` of each part of
/// an array of content parts (OpenAI's `[{type: "text", text: ...}]`),
/// joined by newlines; null (an assistant message with tool calls) is "".
std::string message_text(const nlohmann::json& content);

/// Prompt tokens of chat messages: each message's content tokens plus 3
/// for its role and framing, plus 3 priming the reply.
std::int64_t chat_prompt_tokens(const nlohmann::json& messages);

/// A request's `prompt`/`messages` text as one string, the seed of its answer.
std::string joined_text(const nlohmann::json& value);

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed = 14695981039346656037ull);

}  // namespace tollgate::mock
