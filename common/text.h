#pragma once
#include <cctype>
#include <string>
#include <string_view>

namespace tollgate {

/// `s` with ASCII letters in lower case (header names, media types).
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace tollgate
