#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "mock-server/content/chat_stream.h"
#include "mock-server/families/mock_context.h"
#include "mock-server/families/contract_routes.h"
#include "mock-server/families/family.h"
#include "net/http_types.h"

namespace tollgate::mock {

/// Who made a request, as the pipeline authenticated them.
struct Caller {
  KeyAuth auth;     ///< API-key families: the key's snapshot and its account's name
  Account account;  ///< access-key families (aiapigiare's System API): the account
};

/// A request on its way through the pipeline, as an operation sees it.
struct Call {
  const net::HttpRequest& request;
  std::string_view path;  ///< without the family prefix
  const ContractRoutes::Routed& routed;
  const Caller& caller;

  const std::string& operation() const { return routed.match.operation->id; }
  const std::string& path_param(const std::string& name) const { return routed.match.path_params.at(name); }
  const ApiKey& key() const { return caller.auth.key; }
};

/// How a family takes part in the pipeline's stages.
struct Dialect {
  std::string family;         ///< whose API keys it accepts ("aiproxy")
  bool rate_limited = true;   ///< admits each request in the key's sliding minute
  bool rate_headers = false;  ///< X-RateLimit-* on every answer past the rate limit
};

/// The request pipeline every family shares, written once:
///   route by contract -> 404 (no such path) / 405 with Allow (no such
///   method) -> authenticate -> refuse a key problem -> admit in the rate
///   limit -> refuse over the limit (Retry-After) -> check the parameters
///   against the contract -> the operation.
/// A family fills in its dialect: how it takes the key, its error body and
/// message for each refusal, whether it rate-limits, and what each
/// operation does.
class Pipeline : public FamilyService {
 public:
  net::HttpResponse handle(const net::HttpRequest& request, std::string_view path) final;

 protected:
  Pipeline(MockContext& ctx, Dialect dialect, std::vector<std::shared_ptr<const contract::Contract>> contracts);

  /// 404: no operation has this path.
  virtual net::HttpResponse no_route(const net::HttpRequest& request, std::string_view path) const = 0;
  /// 405: the path has other methods (the pipeline adds `Allow`).
  virtual net::HttpResponse wrong_method(const net::HttpRequest& request, std::string_view path,
                                         const std::string& allow) const = 0;
  /// Who is calling, or the answer refusing them. By default the family's
  /// API key (key_of) checked by the store, refused with key_refused.
  virtual std::optional<net::HttpResponse> identify(const net::HttpRequest& request, Caller& caller);
  /// The API key as the family takes it: `Authorization: Bearer` by default.
  virtual std::string key_of(const net::HttpRequest& request) const { return bearer_token(request); }
  /// The answer to a key that cannot be used (missing, unknown, another
  /// family's, disabled, expired, exhausted), as `auth.problem` says.
  virtual net::HttpResponse key_refused(const KeyAuth& auth, const std::string& key);
  /// The body of a refusal over the rate limit (the pipeline adds
  /// Retry-After and the rate headers).
  virtual net::HttpResponse over_rate(const RateDecision& rate);
  /// A parameter or body that breaks the contract.
  virtual net::HttpResponse bad_request(const Problem& problem) const = 0;
  /// The operation the request routed to, past every check.
  virtual net::HttpResponse operation(const Call& call) = 0;

  /// The body of a refusal because the model is at capacity, queue full
  /// (the pipeline adds Retry-After): by default the family's fault.
  virtual net::HttpResponse over_capacity(int status, const std::string& message) { return fault(status, message, ""); }
  /// Takes a place in `model`'s capacity for an answer of `tokens` tokens
  /// (before anything is billed): `latency` is then the model's with the
  /// wait in its queue before the first token; nothing when admitted, the
  /// refusal when the queue is full.
  std::optional<net::HttpResponse> admit(const ModelSpec& model, std::int64_t tokens, LatencyProfile& latency);

  /// Parses the call's JSON body against its operation's schema; the
  /// bad_request answer when it does not conform.
  std::optional<net::HttpResponse> parse_body(const Call& call, nlohmann::json& body) const;

  MockContext& ctx_;

 private:
  Dialect dialect_;
  ContractRoutes routes_;
};

/// X-RateLimit-Limit/Remaining/Reset (Unix seconds) of a rate decision.
void add_rate_headers(net::HttpResponse& response, const RateDecision& rate);
/// A refusal over the rate limit: the rate headers plus Retry-After.
net::HttpResponse rate_limited(net::HttpResponse response, const RateDecision& rate, const Clock& clock);

/// "2024-01-19T00:00:00Z" for Unix seconds.
std::string rfc3339(std::int64_t unix_s);

/// The integer at `key` of a JSON body, clamped to ±2^53 so that sums and
/// comparisons stay exact (a float is cut toward zero, so `max_tokens: 1e30`
/// is 2^53 and fails its range check instead of wrapping); `fallback` when
/// the key is absent or not a number. Never a 32-bit truncation.
std::int64_t integer_field(const nlohmann::json& body, const char* key, std::int64_t fallback);
/// A boolean field, or `fallback` when it is absent or null.
bool boolean_field(const nlohmann::json& body, const char* key, bool fallback);

/// What a call billed by its tokens charges: the model's prices for `usage`.
Charge token_charge(const ModelSpec& model, const Usage& usage, std::string what);

}  // namespace tollgate::mock
