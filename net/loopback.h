#pragma once
#include <string_view>

namespace tollgate::net {

/// True for "localhost", "::1" and any address in 127.0.0.0/8 (and the
/// IPv4-mapped ::ffff:127.x.y.z a dual-stack socket reports).
bool is_loopback_host(std::string_view host);

}  // namespace tollgate::net
