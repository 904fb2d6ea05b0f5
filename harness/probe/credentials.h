#pragma once
// What an operation's `security` asks for, as the probe's auth cases need
// it: whether credentials are needed at all, which headers carry them, and
// a wrong credential in the place a security scheme names.
#include <string>
#include <utility>
#include <vector>

#include "contract/contract.h"

namespace tollgate::probe {

/// The value every wrong credential carries: not a secret, so never masked.
inline constexpr const char* kWrongCredential = "tollgate-probe-wrong-credential";

/// Whether `op` needs credentials: its `security` (or the document's) has
/// requirements and no anonymous `{}` alternative.
bool needs_credentials(const contract::Contract& c, const contract::Operation& op);

/// Whether `name` is a header that carries credentials: those of
/// common/secrets.h and every apiKey header of the contract's securitySchemes.
bool is_credential_header(const contract::Contract& c, const std::string& name);

/// A wrong credential where the first requirement of `op`'s security puts
/// it: `Authorization: Bearer <wrong>` for http bearer, OAuth 2 and OpenID
/// Connect; Basic for http basic; the named header or query parameter of an
/// apiKey scheme. Empty when no scheme of that requirement can be written
/// (a cookie, a scheme the document does not define).
struct WrongCredential {
  std::vector<std::pair<std::string, std::string>> headers, query;
  bool empty() const { return headers.empty() && query.empty(); }
};
WrongCredential wrong_credential(const contract::Contract& c, const contract::Operation& op);

}  // namespace tollgate::probe
