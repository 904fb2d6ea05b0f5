#pragma once
// Instants given on a command line (--start-at): RFC 3339 or Unix ms.
#include <cstdint>
#include <optional>
#include <string>

namespace tollgate {

/// Parses "2026-12-03T18:30:00Z", "2026-12-03T18:30:00.250+01:00" (RFC 3339,
/// 'T' or ' ' between date and time, fractions to the millisecond) or a
/// Unix time in milliseconds ("1764786600000"); nothing, with `error`
/// saying why, otherwise.
std::optional<std::int64_t> parse_instant_ms(const std::string& text, std::string* error = nullptr);

}  // namespace tollgate
