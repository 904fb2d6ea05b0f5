#pragma once
// An LLM workload's values for one iteration: lengths drawn from their
// distributions, synthetic prompts of an exact token count, and a
// conversation's messages turn by turn.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scenario/scenario.h"

namespace tollgate::flow {

/// A length drawn from `d`: rounded to a whole count, within [min, max]
/// (a draw outside is drawn again, up to 64 times, then clamped: the
/// distribution is truncated, not piled up at its bounds).
std::int64_t draw_length(const scenario::LengthDist& d, std::mt19937_64& rng);

/// A prompt of exactly `tokens` tokens under the mock's rule (a run of
/// letters and digits is one token): that many lower-case words, drawn
/// from a fixed list, separated by single spaces. A chat request with it
/// as its one message counts tokens + 6 prompt tokens at the mock (3 per
/// request, 3 per message).
std::string synthetic_prompt(std::int64_t tokens, std::mt19937_64& rng);

/// A conversation's messages for turn `turn` (0-based): its prefix, then
/// each earlier user turn followed by the target's answer to it, then this
/// turn's user message. `answers` holds the answers so far (at least
/// `turn` of them).
nlohmann::json turn_messages(const scenario::Conversation& c, std::size_t turn, const std::vector<std::string>& answers);

}  // namespace tollgate::flow
