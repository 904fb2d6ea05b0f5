#pragma once
// Bytes from a target are bytes: any of them may end up in a message, a
// report or a log, which must stay valid UTF-8 and short. This is the one
// place that turns such bytes into text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate {

/// `bytes` as text that is always valid UTF-8: well-formed UTF-8 kept as it
/// is, every other byte (an invalid or cut sequence, an overlong form, a
/// surrogate) and every control character but tab written as `\xHH`. At
/// most `max` bytes of text, cut between characters, never inside one or
/// inside an escape, with "…" added when cut.
std::string printable(std::string_view bytes, std::size_t max = 160);

/// printable() of `bytes` with every one of `secrets` masked first (the
/// one masked form of common/secrets.h), so a key the target echoes
/// never shows.
std::string printable(std::string_view bytes, std::size_t max, const std::vector<std::string>& secrets);

/// The length of the well-formed UTF-8 sequence starting at `s[i]`, or 0
/// when the byte there does not start one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

/// True when every byte of `s` belongs to a well-formed UTF-8 sequence.
bool is_utf8(std::string_view s);

}  // namespace tollgate
