#pragma once
// Secrets (API keys, access tokens) never appear in reports, logs or error
// messages: everything that prints one masks it the same way, here.
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"

namespace tollgate {

/// The one masked form of a secret: its first four and last four
/// characters around "****" when it has 16 or more ("sk-l****cdef"), its
/// first two and "****" when it has 9 to 15, "****" when shorter. The
/// length never shows.
std::string mask_secret(std::string_view secret);

/// `text` with every one of `secrets` masked (longest first).
std::string mask_secrets(std::string text, const std::vector<std::string>& secrets);

/// The credentials in request headers, for masking: Authorization without
/// its scheme, X-API-Key, api-key, X-Access-Token, Access-Token,
/// X-Auth-Token. Values under 4 characters and {{templates}} are left out.
std::vector<std::string> secrets_of(const Headers& headers);

/// A command line with the values of secret-looking `--env NAME=VALUE`
/// (NAME holds KEY, TOKEN, SECRET, PASS, AUTH or CREDENTIAL) replaced by
/// "****" and the credentials of `headers` masked.
std::string mask_command_line(const std::string& command_line, const Headers& headers);

}  // namespace tollgate
