#include "harness/scenario/units.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace tollgate::scenario {
namespace {

// Splits "12.5ms" into 12.5 and "ms".
bool split_number(std::string_view text, double& number, std::string_view& unit) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  if (end == 0) return false;
  const std::string digits(text.substr(0, end));
  char* stop = nullptr;
  number = std::strtod(digits.c_str(), &stop);
  if (stop != digits.c_str() + digits.size() || !std::isfinite(number)) return false;
  unit = text.substr(end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  double scale;
  if (unit == "ns") scale = 1;
  else if (unit == "us" || unit == "µs") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s") scale = 1e9;
  else if (unit == "m" || unit == "min") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(n * scale)));
}

std::optional<double> parse_rate(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  if (unit.empty() || unit == "/s" || unit == "/sec") return n;
  if (unit == "/m" || unit == "/min") return n / 60.0;
  if (unit == "/h") return n / 3600.0;
  return std::nullopt;
}

std::optional<double> parse_fraction(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  if (unit == "%") return n / 100.0;
  if (unit.empty()) return n;
  return std::nullopt;
}

}  // namespace tollgate::scenario
