// AimiChat: chat completions (plain and SSE), three ways to pass the key,
// a per-account daily credit limit with X-RateLimit-* on every answer.
#include <algorithm>

#include "common/secrets.h"
#include "mock-server/content/chat_stream.h"
#include "mock-server/content/textgen.h"
#include "mock-server/families/pipeline.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

const char* reason(int status) {
  switch (status) {
    case 400: return "Invalid request";
    case 401: return "Unauthorized";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 429: return "Rate limit exceeded";
    default: return "Internal server error";
  }
}

net::HttpResponse aimichat_error(int status, const std::string& message) {
  return net::HttpResponse::json(status, {{"error", reason(status)}, {"message", message}});
}

/// X-RateLimit-* of the account's daily credits, Reset as RFC 3339.
net::HttpResponse with_credits(net::HttpResponse r, const CreditDecision& c) {
  r.headers.emplace_back("X-RateLimit-Limit", std::to_string(c.limit));
  r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(c.remaining));
  r.headers.emplace_back("X-RateLimit-Reset", rfc3339(c.reset_s));
  return r;
}

class AimiChat final : public Pipeline {
 public:
  // Credits, not a rate window: the limit is checked by the operation.
  AimiChat(MockContext& ctx, const std::filesystem::path& spec_dir)
      : Pipeline(ctx, {.family = "aimichat", .rate_limited = false},
                 {contract::Contract::load(spec_dir / "aimichat.yaml")}) {}

  net::HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return aimichat_error(status, message);
  }

 private:
  net::HttpResponse no_route(const net::HttpRequest& request, std::string_view path) const override {
    return aimichat_error(404, "No endpoint " + request.method + " " + std::string(path));
  }
  net::HttpResponse wrong_method(const net::HttpRequest&, std::string_view path, const std::string&) const override {
    return aimichat_error(405, "Use POST for " + std::string(path));
  }
  // The key: Authorization: Bearer, X-API-Key, or ?api_key=.
  std::string key_of(const net::HttpRequest& request) const override {
    std::string key = bearer_token(request);
    if (key.empty()) key = std::string(request.header("X-API-Key"));
    if (key.empty()) key = request.query_param("api_key").value_or("");
    return key;
  }
  net::HttpResponse key_refused(const KeyAuth& auth, const std::string& key) override {
    if (auth.problem == KeyProblem::kMissing)
      return aimichat_error(401, "Missing API key: use Authorization: Bearer, X-API-Key or ?api_key=");
    return aimichat_error(401, "Invalid API key" + (key.empty() ? std::string() : ": " + mask_secret(key)));
  }
  net::HttpResponse bad_request(const Problem& p) const override { return aimichat_error(p.status, p.message); }

  net::HttpResponse operation(const Call& call) override {
    const std::int64_t account = call.key().account;
    json body;
    if (auto refused = parse_body(call, body)) return with_credits(std::move(*refused), ctx_.store().credits(account));
    const std::string model_id = body.value("model", "aimichat-1");
    const ModelSpec* model = ctx_.model(model_id, "aimichat");
    if (!model)
      return with_credits(aimichat_error(400, "Unknown model '" + model_id + "'"), ctx_.store().credits(account));

    const CreditDecision credits = ctx_.store().use_credit(account);
    if (!credits.allowed) {
      net::HttpResponse r = net::HttpResponse::json(429, {{"error", "Rate limit exceeded"},
                                                          {"message", "Daily credit limit reached"},
                                                          {"limit", credits.limit},
                                                          {"used", credits.used},
                                                          {"resetAt", rfc3339(credits.reset_s)}});
      return with_credits(std::move(r), credits);
    }
    return with_credits(chat(body, *model, call.key()), credits);
  }

  net::HttpResponse chat(const json& body, const ModelSpec& model, const ApiKey& key) {
    const json& messages = body["messages"];
    const std::int64_t max_tokens = integer_field(body, "max_tokens", -1);
    Usage usage;
    usage.prompt_tokens = chat_prompt_tokens(messages);
    if (usage.prompt_tokens + std::max<std::int64_t>(0, max_tokens) > model.context_window)
      return aimichat_error(400, "The conversation is longer than the model's " +
                                     std::to_string(model.context_window) + "-token context window");
    Generation gen = generate_text(model.id, joined_text(messages), max_tokens);
    usage.completion_tokens = static_cast<std::int64_t>(gen.pieces.size());
    LatencyProfile latency;
    if (auto busy = admit(model, usage.completion_tokens, latency)) return *busy;
    if (ctx_.store().charge(key.id, token_charge(model, usage, "aimichat chat (1 credit)")) != ChargeResult::kCharged)
      return aimichat_error(401, "This API key can no longer be used");

    const std::string id = new_id("aimi-");
    if (body.value("stream", false))
      return chat_stream_response({{"id", id}, {"model", model.id}}, single_choice(std::move(gen)), usage, false,
                                  latency);
    net::HttpResponse r = net::HttpResponse::json(
        200, chat_completion_body({{"id", id}, {"created", ctx_.clock().now_s()}, {"model", model.id}},
                                  single_choice(std::move(gen)), usage));
    r.delay = MockContext::answer_delay(latency, usage.completion_tokens);
    return r;
  }
};

}  // namespace

std::unique_ptr<FamilyService> make_aimichat(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<AimiChat>(ctx, spec_dir);
}

}  // namespace tollgate::mock
