#include "common/printable.h"

#include <algorithm>

#include "common/secrets.h"

namespace tollgate {

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = at(i);
  if (b < 0x80) return 1;
  // The lead byte fixes the length and the range of the first continuation
  // byte (RFC 3629 §4): no overlong forms, no surrogates, nothing past U+10FFFF.
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) n = 2;
  else if (b == 0xE0) n = 3, lo = 0xA0;
  else if (b == 0xED) n = 3, hi = 0x9F;
  else if (b >= 0xE1 && b <= 0xEF) n = 3;
  else if (b == 0xF0) n = 4, lo = 0x90;
  else if (b == 0xF4) n = 4, hi = 0x8F;
  else if (b >= 0xF1 && b <= 0xF3) n = 4;
  else return 0;
  if (i + n > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  return n;
}

bool is_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string printable(std::string_view bytes, std::size_t max) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr std::string_view kCut = "\xE2\x80\xA6";  // …
  std::string out;
  out.reserve(std::min(bytes.size(), max) + kCut.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    std::size_t n = utf8_sequence_length(bytes, i);
    const bool escape = n == 0 || (b < 0x20 && b != '\t') || b == 0x7F;
    const std::size_t width = escape ? 4 : n;
    if (out.size() + width > max) {
      out += kCut;
      return out;
    }
    if (escape) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
      n = 1;
    } else {
      out.append(bytes.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string printable(std::string_view bytes, std::size_t max, const std::vector<std::string>& secrets) {
  if (secrets.empty()) return printable(bytes, max);
  // Only the start can show: mask a window that holds it with room for
  // every secret that begins inside it, not a whole 64 MiB body.
  const std::size_t window = std::min(bytes.size(), 4 * max + 4096);
  std::string out = printable(mask_secrets(std::string(bytes.substr(0, window)), secrets), max);
  if (window < bytes.size() && !out.ends_with("\xE2\x80\xA6")) out += "\xE2\x80\xA6";
  return out;
}

}  // namespace tollgate
