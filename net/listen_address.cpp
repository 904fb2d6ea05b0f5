#include "net/listen_address.h"

#include <charconv>

namespace tollgate::net {

std::string parse_listen_address(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return "expected HOST:PORT";
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost") h = "127.0.0.1";
  if (h.empty()) return "missing host (use 127.0.0.1 or [::1])";
  const std::string p = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value > 65535) return "port must be a number 0-65535";
  host = h;
  port = static_cast<std::uint16_t>(value);
  return "";
}

}  // namespace tollgate::net
