#include "mock-server/families/pipeline.h"

#include <algorithm>
#include <ctime>

#include "common/text.h"

namespace tollgate::mock {

Pipeline::Pipeline(MockContext& ctx, Dialect dialect, std::vector<std::shared_ptr<const contract::Contract>> contracts)
    : ctx_(ctx), dialect_(std::move(dialect)), routes_(std::move(contracts)) {}

net::HttpResponse Pipeline::handle(const net::HttpRequest& request, std::string_view path) {
  const auto routed = routes_.route(request.method, path);
  if (routed.match.kind == contract::Match::Kind::kNoPath) return no_route(request, path);
  if (routed.match.kind == contract::Match::Kind::kWrongMethod) {
    const std::string allow = allow_list(routed.match);
    net::HttpResponse r = wrong_method(request, path, allow);
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  Caller caller;
  if (auto refused = identify(request, caller)) return std::move(*refused);
  RateDecision rate;
  if (dialect_.rate_limited) {
    rate = ctx_.store().admit(caller.auth.key);
    if (!rate.allowed) return rate_limited(over_rate(rate), rate, ctx_.clock());
  }
  net::HttpResponse r;
  if (auto problem = routes_.check_parameters(routed, request))
    r = bad_request(*problem);
  else
    r = operation(Call{request, path, routed, caller});
  if (dialect_.rate_headers) add_rate_headers(r, rate);
  return r;
}

std::optional<net::HttpResponse> Pipeline::identify(const net::HttpRequest& request, Caller& caller) {
  const std::string key = key_of(request);
  caller.auth = ctx_.store().authenticate(key, dialect_.family);
  if (caller.auth.problem == KeyProblem::kNone) return std::nullopt;
  return key_refused(caller.auth, key);
}

net::HttpResponse Pipeline::key_refused(const KeyAuth&, const std::string&) {
  return fault(401, "Invalid API key", "");
}

net::HttpResponse Pipeline::over_rate(const RateDecision&) { return fault(429, "Rate limit exceeded", ""); }

std::optional<net::HttpResponse> Pipeline::admit(const ModelSpec& model, std::int64_t tokens, LatencyProfile& latency) {
  latency = ctx_.latency(model);
  const Admission a = ctx_.admit(model, tokens);
  if (a.admitted) {
    latency.ttft_ms += static_cast<double>(a.wait.count()) / 1000.0;
    return std::nullopt;
  }
  const auto& c = model.capacity;
  net::HttpResponse r = over_capacity(c.refuse, "The model " + model.id + " is at capacity (" +
                                                    std::to_string(c.concurrency) + " generations at once, " +
                                                    std::to_string(c.queue) + " waiting); retry after " +
                                                    std::to_string(a.retry_after_s) + " s.");
  r.headers.emplace_back("Retry-After", std::to_string(a.retry_after_s));
  return r;
}

std::optional<net::HttpResponse> Pipeline::parse_body(const Call& call, nlohmann::json& body) const {
  auto problem = routes_.parse_body(call.routed, call.request, body, ctx_.strict_params());
  if (!problem) return std::nullopt;
  return bad_request(*problem);
}

void add_rate_headers(net::HttpResponse& r, const RateDecision& rate) {
  r.headers.emplace_back("X-RateLimit-Limit", std::to_string(rate.limit));
  r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(rate.remaining));
  r.headers.emplace_back("X-RateLimit-Reset", std::to_string(rate.reset_s));
}

net::HttpResponse rate_limited(net::HttpResponse r, const RateDecision& rate, const Clock& clock) {
  const std::int64_t wait = std::max<std::int64_t>(1, rate.reset_s - clock.now_s());
  r.headers.emplace_back("Retry-After", std::to_string(wait));
  add_rate_headers(r, rate);
  return r;
}

std::string bearer_token(const net::HttpRequest& request) {
  std::string_view auth = request.header("Authorization");
  if (!istarts_with(auth, "Bearer ")) return "";
  auth.remove_prefix(7);
  while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
  while (!auth.empty() && auth.back() == ' ') auth.remove_suffix(1);
  return std::string(auth);
}

bool boolean_field(const nlohmann::json& body, const char* key, bool fallback) {
  if (!body.is_object()) return fallback;
  const auto it = body.find(key);
  return it != body.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::int64_t integer_field(const nlohmann::json& body, const char* key, std::int64_t fallback) {
  constexpr std::int64_t kLimit = std::int64_t{1} << 53;
  if (!body.is_object()) return fallback;
  const auto it = body.find(key);
  if (it == body.end() || !it->is_number()) return fallback;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>() > std::uint64_t(kLimit) ? kLimit : it->get<std::int64_t>();
  if (it->is_number_integer()) return std::clamp(it->get<std::int64_t>(), -kLimit, kLimit);
  const double d = it->get<double>();
  if (!(d == d)) return fallback;  // NaN cannot come from JSON, but be sure
  return d >= static_cast<double>(kLimit) ? kLimit : d <= -static_cast<double>(kLimit) ? -kLimit : static_cast<std::int64_t>(d);
}

std::string rfc3339(std::int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Charge token_charge(const ModelSpec& model, const Usage& usage, std::string what) {
  Charge c;
  c.model = model.id;
  c.prompt_tokens = usage.prompt_tokens;
  c.completion_tokens = usage.completion_tokens;
  c.quota = token_quota(model, usage.prompt_tokens, usage.completion_tokens);
  c.what = std::move(what);
  return c;
}

}  // namespace tollgate::mock
