#include "harness/flow/builtins.h"

namespace tollgate::flow {

std::optional<nlohmann::json> builtin(std::string_view name, const BuiltinContext& c) {
  if (name == "iteration") return c.iteration;
  if (name == "vu") return c.vu;
  if (name == "uuid" && c.rng) return uuid4(*c.rng);
  if (name == "now_ms" && c.clock) return c.clock->now_ms();
  if (name == "callback_url" && c.callback_url) return *c.callback_url;
  return std::nullopt;
}

std::string uuid4(std::mt19937_64& rng) {
  const std::uint64_t a = rng(), b = rng();
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace tollgate::flow
