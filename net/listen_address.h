#pragma once
#include <cstdint>
#include <string>

namespace tollgate::net {

/// Splits "HOST:PORT" ("127.0.0.1:0", "[::1]:8080", "localhost:80") into
/// its parts; returns "" on success or what is wrong.
std::string parse_listen_address(const std::string& text, std::string& host, std::uint16_t& port);

}  // namespace tollgate::net
