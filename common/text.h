#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate {

/// `c` in lower case when it is an ASCII capital (no locale involved).
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

/// `s` with ASCII letters in lower case (header names, media types).
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

/// FNV-1a, 64 bits: a hash of `s` that is the same on every platform and
/// standard library (std::hash is not), for seeds a file may record.
constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

/// Equal ignoring ASCII case (header names, schemes, tokens).
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

/// Equal to `lower`, a lower-case literal, ignoring the case of `s`.
inline bool iequals_lower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (ascii_lower(s[i]) != lower[i]) return false;
  return true;
}

/// `s` starts with `prefix`, ignoring ASCII case.
inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// HTTP header fields in the order they came, names as they were sent.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// The value of the first header named `name` (any case), or nullptr.
inline const std::string* find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

/// True for a text/event-stream media type (parameters allowed).
inline bool is_event_stream(std::string_view content_type) {
  return istarts_with(content_type, "text/event-stream");
}

}  // namespace tollgate
