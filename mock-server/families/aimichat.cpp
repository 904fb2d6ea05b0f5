// AimiChat: chat completions (plain and SSE), three ways to pass the key,
// a per-account daily credit limit with X-RateLimit-* on every answer.
#include "mock-server/content/chat_stream.h"
#include "mock-server/families/family.h"
#include "mock-server/content/textgen.h"

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

class AimiChat final : public FamilyService {
 public:
  AimiChat(MockContext& ctx, const std::filesystem::path& spec_dir)
      : ctx_(ctx), routes_({contract::Contract::load(spec_dir / "aimichat.yaml")}) {}

  net::HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return aimichat_error(status, message);
  }

  net::HttpResponse handle(const net::HttpRequest& request, std::string_view path) override {
    const auto routed = routes_.route(request.method, path);
    if (routed.match.kind == contract::Match::Kind::kNoPath)
      return aimichat_error(404, "No endpoint " + request.method + " " + std::string(path));
    if (routed.match.kind == contract::Match::Kind::kWrongMethod) {
      net::HttpResponse r = aimichat_error(405, "Use POST for " + std::string(path));
      r.headers.emplace_back("Allow", allow_list(routed.match));
      return r;
    }
    // The key: Authorization: Bearer, X-API-Key, or ?api_key=.
    std::string key = bearer_token(request);
    if (key.empty()) key = std::string(request.header("X-API-Key"));
    if (key.empty()) key = request.query_param("api_key").value_or("");
    const KeyAuth auth = ctx_.store().authenticate(key, "aimichat");
    if (auth.problem == KeyProblem::kMissing)
      return aimichat_error(401, "Missing API key: use Authorization: Bearer, X-API-Key or ?api_key=");
    if (auth.problem != KeyProblem::kNone)
      return aimichat_error(401, "Invalid API key" + (key.empty() ? std::string() : ": " + mask_secret(key)));

    json body;
    if (auto p = routes_.parse_body(routed, request, body))
      return with_credits(aimichat_error(p->status, p->message), ctx_.store().credits(auth.key.account));
    const std::string model_id = body.value("model", "aimichat-1");
    const ModelSpec* model = ctx_.model(model_id, "aimichat");
    if (!model)
      return with_credits(aimichat_error(400, "Unknown model '" + model_id + "'"), ctx_.store().credits(auth.key.account));

    const CreditDecision credits = ctx_.store().use_credit(auth.key.account);
    if (!credits.allowed) {
      net::HttpResponse r = net::HttpResponse::json(429, {{"error", "Rate limit exceeded"},
                                                {"message", "Daily credit limit reached"},
                                                {"limit", credits.limit},
                                                {"used", credits.used},
                                                {"resetAt", rfc3339(credits.reset_s)}});
      return with_credits(std::move(r), credits);
    }
    return with_credits(chat(body, *model, auth), credits);
  }

 private:
  static net::HttpResponse with_credits(net::HttpResponse r, const CreditDecision& c) {
    r.headers.emplace_back("X-RateLimit-Limit", std::to_string(c.limit));
    r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(std::max<std::int64_t>(0, c.limit - c.used)));
    r.headers.emplace_back("X-RateLimit-Reset", rfc3339(c.reset_s));
    return r;
  }

  net::HttpResponse chat(const json& body, const ModelSpec& model, const KeyAuth& auth) {
    const json& messages = body["messages"];
    const std::int64_t max_tokens = body.value("max_tokens", std::int64_t{-1});
    Usage usage;
    usage.prompt_tokens = chat_prompt_tokens(messages);
    if (usage.prompt_tokens + std::max<std::int64_t>(0, max_tokens) > model.context_window)
      return aimichat_error(400, "The conversation is longer than the model's " +
                                     std::to_string(model.context_window) + "-token context window");
    Generation gen = generate_text(model.id, joined_text(messages), max_tokens);
    usage.completion_tokens = static_cast<std::int64_t>(gen.pieces.size());
    Charge c;
    c.model = model.id;
    c.prompt_tokens = usage.prompt_tokens;
    c.completion_tokens = usage.completion_tokens;
    c.quota = token_quota(model, usage.prompt_tokens, usage.completion_tokens);
    c.what = "aimichat chat (1 credit)";
    if (ctx_.store().charge(auth.key.id, c) != ChargeResult::kCharged)
      return aimichat_error(401, "This API key can no longer be used");

    const std::string id = new_id("aimi-");
    const std::int64_t created = ctx_.clock().now_s();
    if (body.value("stream", false)) {
      net::HttpResponse r;
      r.content_type = "text/event-stream";
      r.headers.emplace_back("Cache-Control", "no-cache");
      json base = {{"id", id}, {"object", "chat.completion.chunk"}, {"model", model.id}};
      r.stream = std::make_shared<ChatStream>(std::move(base), std::move(gen), usage, false, ctx_.latency(model));
      return r;
    }
    net::HttpResponse r = net::HttpResponse::json(
        200, {{"id", id},
              {"object", "chat.completion"},
              {"created", created},
              {"model", model.id},
              {"choices", json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", gen.text()}}},
                                        {"finish_reason", gen.finish_reason}}})},
              {"usage", usage.to_json()}});
    r.delay = ctx_.answer_delay(model, usage.completion_tokens);
    return r;
  }

  MockContext& ctx_;
  ContractRoutes routes_;
};

}  // namespace

std::unique_ptr<FamilyService> make_aimichat(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<AimiChat>(ctx, spec_dir);
}

}  // namespace tollgate::mock
