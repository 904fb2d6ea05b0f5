#include "harness/probe/credentials.h"

#include "common/secrets.h"
#include "contract/operation_reader.h"
#include "common/text.h"

namespace tollgate::probe {
namespace {

using contract::detail::string_at;

contract::NodeRef security_of(const contract::Contract& c, const contract::Operation& op) {
  auto sec = op.where.child("security");
  return sec ? sec : c.documents().root_ref().child("security");
}

}  // namespace

bool needs_credentials(const contract::Contract& c, const contract::Operation& op) {
  const auto sec = security_of(c, op);
  if (!sec || !sec.node->is_array() || sec.node->empty()) return false;
  for (const auto& alt : *sec.node)
    if (alt.is_object() && alt.empty()) return false;
  return true;
}

bool is_credential_header(const contract::Contract& c, const std::string& name) {
  if (!secrets_of({{name, "a-long-enough-value"}}).empty()) return true;
  const auto schemes = c.documents().root_ref().child("components").child("securitySchemes");
  if (!schemes || !schemes.node->is_object()) return false;
  for (const auto& [key, s] : schemes.node->items()) {
    const auto scheme = c.documents().deref(schemes.child(key));
    if (scheme && scheme.node->is_object() && string_at(scheme, "type") == "apiKey" &&
        string_at(scheme, "in") == "header" && iequals(string_at(scheme, "name"), name))
      return true;
  }
  return false;
}

WrongCredential wrong_credential(const contract::Contract& c, const contract::Operation& op) {
  WrongCredential out;
  const auto sec = security_of(c, op);
  if (!needs_credentials(c, op)) return out;
  const auto schemes = c.documents().root_ref().child("components").child("securitySchemes");
  const std::string wrong = kWrongCredential;
  for (const auto& alt : *sec.node) {
    if (!alt.is_object()) continue;
    for (auto it = alt.begin(); it != alt.end(); ++it) {
      const auto scheme = schemes ? c.documents().deref(schemes.child(it.key())) : contract::NodeRef{};
      if (!scheme || !scheme.node->is_object()) continue;
      // A scheme's fields are read as strings only (the loader checks
      // schemas, not securitySchemes): anything else is no scheme.
      const std::string type = string_at(scheme, "type"), in = string_at(scheme, "in"), name = string_at(scheme, "name");
      if (type == "http" && iequals(string_at(scheme, "scheme"), "basic"))
        out.headers.emplace_back("Authorization", "Basic dG9sbGdhdGUtcHJvYmU6d3Jvbmc=");  // tollgate-probe:wrong
      else if (type == "http" || type == "oauth2" || type == "openIdConnect")
        out.headers.emplace_back("Authorization", "Bearer " + wrong);
      else if (type == "apiKey" && in == "header" && !name.empty())
        out.headers.emplace_back(name, wrong);
      else if (type == "apiKey" && in == "query" && !name.empty())
        out.query.emplace_back(name, wrong);
    }
    if (!out.empty()) return out;  // the first alternative that can be written
  }
  return out;
}

}  // namespace tollgate::probe
