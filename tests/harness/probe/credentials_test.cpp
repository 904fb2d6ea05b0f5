// probe::wrong_credential and needs_credentials: where each kind of
// security scheme puts a wrong credential, and that a contract whose
// securitySchemes are not what OpenAPI says gives none instead of a crash.
#include "harness/probe/credentials.h"

#include <gtest/gtest.h>

namespace tollgate::probe {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

/// A contract with one operation whose `security` is `security` and the
/// document's securitySchemes `schemes` (YAML flow text).
std::shared_ptr<const contract::Contract> with(const std::string& schemes, const std::string& security) {
  return contract::Contract::parse(R"(openapi: 3.0.3
info: {title: S, version: "1"}
components:
  securitySchemes: )" + schemes + R"(
paths:
  /x:
    get:
      operationId: getX
      security: )" + security + R"(
      responses:
        '200': {description: ok}
        '401': {description: no}
)",
                                   "s.yaml");
}

TEST(ProbeCredentials, AWrongOneGoesWhereTheSchemeSays) {
  const std::string wrong = kWrongCredential;
  struct Row {
    const char* schemes;
    const char* security;
    Pairs headers, query;
  };
  const Row rows[] = {
      {"{b: {type: http, scheme: bearer}}", "[{b: []}]", {{"Authorization", "Bearer " + wrong}}, {}},
      {"{b: {type: http, scheme: Basic}}", "[{b: []}]", {{"Authorization", "Basic dG9sbGdhdGUtcHJvYmU6d3Jvbmc="}}, {}},
      {"{o: {type: oauth2, flows: {}}}", "[{o: [read]}]", {{"Authorization", "Bearer " + wrong}}, {}},
      {"{k: {type: apiKey, in: header, name: X-Key}}", "[{k: []}]", {{"X-Key", wrong}}, {}},
      {"{k: {type: apiKey, in: query, name: api_key}}", "[{k: []}]", {}, {{"api_key", wrong}}},
      // Both schemes of one requirement; the first requirement that can be written.
      {"{k: {type: apiKey, in: header, name: X-Key}, q: {type: apiKey, in: query, name: sig}}", "[{k: [], q: []}]",
       {{"X-Key", wrong}}, {{"sig", wrong}}},
      {"{c: {type: apiKey, in: cookie, name: s}, b: {type: http, scheme: bearer}}", "[{c: []}, {b: []}]",
       {{"Authorization", "Bearer " + wrong}}, {}},
      // Nothing to write: a cookie only, an anonymous alternative, a
      // scheme the document does not define, fields of the wrong type.
      {"{c: {type: apiKey, in: cookie, name: s}}", "[{c: []}]", {}, {}},
      {"{b: {type: http, scheme: bearer}}", "[{b: []}, {}]", {}, {}},
      {"{b: {type: http, scheme: bearer}}", "[{nope: []}]", {}, {}},
      {"{k: {type: 5, in: [header], name: {a: 1}}}", "[{k: []}]", {}, {}},
      {"{k: {type: apiKey, in: header, name: 7}}", "[{k: []}]", {}, {}},
  };
  for (const auto& r : rows) {
    const auto c = with(r.schemes, r.security);
    const auto& op = c->operations().front();
    const auto got = wrong_credential(*c, op);
    EXPECT_EQ(got.headers, r.headers) << r.schemes << " " << r.security;
    EXPECT_EQ(got.query, r.query) << r.schemes << " " << r.security;
  }
}

TEST(ProbeCredentials, WhichHeadersCarryThem) {
  const auto c = with("{k: {type: apiKey, in: header, name: X-Shop-Key}, h: {type: apiKey, in: header, name: 9}}",
                      "[{k: []}]");
  EXPECT_TRUE(is_credential_header(*c, "x-shop-key"));
  EXPECT_TRUE(is_credential_header(*c, "Authorization"));
  EXPECT_FALSE(is_credential_header(*c, "X-Request-Id"));
  EXPECT_FALSE(is_credential_header(*c, "9"));
  EXPECT_TRUE(needs_credentials(*c, c->operations().front()));
  const auto anonymous = with("{k: {type: apiKey, in: header, name: X-Key}}", "[]");
  EXPECT_FALSE(needs_credentials(*anonymous, anonymous->operations().front()));
}

}  // namespace
}  // namespace tollgate::probe
