#pragma once
#include <string>
#include <string_view>

namespace tollgate {

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in
/// query strings); malformed escapes are kept as they are.
std::string percent_decode(std::string_view s, bool plus_is_space = false);

/// Encodes every byte but RFC 3986 unreserved characters as %XX.
std::string percent_encode(std::string_view s);

}  // namespace tollgate
