#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::scenario {

/// "500ms", "30s", "2m", "1h", "1.5s", "250us" -> a duration; nullopt when
/// the text is not one.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

/// "10000/min", "200/s", "5/h", "200" (per second) -> requests per second.
std::optional<double> parse_rate(std::string_view text);

/// "99.9%" -> 0.999, "0.5" -> 0.5.
std::optional<double> parse_fraction(std::string_view text);

}  // namespace tollgate::scenario
