// AIProxy: OpenAI-style models, completions, chat completions (plain and
// SSE), the Responses API (plain and typed events, stored responses) and
// embeddings, errors in the OpenAI error object.
#include <algorithm>
#include <map>
#include <mutex>

#include "common/secrets.h"
#include "mock-server/content/chat_answer.h"
#include "mock-server/content/chat_stream.h"
#include "mock-server/content/response_stream.h"
#include "mock-server/content/responses_api.h"
#include "mock-server/content/textgen.h"
#include "mock-server/families/pipeline.h"
#include "mock-server/store/response_store.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

std::string type_for(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 429: return "rate_limit_error";
    case 500:
    case 503: return "server_error";
    default: return "invalid_request_error";
  }
}

net::HttpResponse openai_error(int status, const std::string& message, const std::string& code = "",
                               const std::string& param = "", const std::string& type = "") {
  return net::HttpResponse::json(status, {{"error",
                                           {{"message", message},
                                            {"type", type.empty() ? type_for(status) : type},
                                            {"param", param.empty() ? json() : json(param)},
                                            {"code", code.empty() ? json() : json(code)}}}});
}

std::string context_exceeded(std::int64_t window, std::int64_t requested) {
  return "This model's maximum context length is " + std::to_string(window) + " tokens, however you requested " +
         std::to_string(requested) + " tokens";
}

/// A string or an array of strings (a prompt, an input), as a list.
constexpr std::size_t kMaxEmbeddingInputs = 2048;
// OpenAI's bound on the tokens of one embeddings request, summed over its inputs.
constexpr std::int64_t kMaxEmbeddingTokens = 300'000;
// The mock's own bound on an embeddings answer: inputs x dimensions numbers
// (about 20 MB of JSON), so that a small request cannot make a huge answer.
constexpr std::int64_t kMaxEmbeddingValues = 1 << 20;

std::vector<std::string> one_or_many(const json& value) {
  if (value.is_string()) return {value.get<std::string>()};
  std::vector<std::string> out;
  for (const auto& v : value) out.push_back(v.get<std::string>());
  return out;
}

class AiProxy final : public Pipeline {
 public:
  AiProxy(MockContext& ctx, const std::filesystem::path& spec_dir)
      : Pipeline(ctx, {.family = "aiproxy", .rate_limited = true, .rate_headers = true},
                 {contract::Contract::load(spec_dir / "aiproxy.yaml")}) {}

  net::HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return openai_error(status, message, "injected_fault");
  }
  net::HttpResponse over_capacity(int status, const std::string& message) override {
    return openai_error(status, message, status == 429 ? "rate_limit_exceeded" : "server_overloaded");
  }

 private:
  net::HttpResponse no_route(const net::HttpRequest& request, std::string_view path) const override {
    return openai_error(404, "Unknown request URL: " + request.method + " " + std::string(path) + ".", "unknown_url");
  }
  net::HttpResponse wrong_method(const net::HttpRequest& request, std::string_view path,
                                 const std::string&) const override {
    return openai_error(405, "Method " + request.method + " is not allowed on " + std::string(path) + ".",
                        "method_not_allowed");
  }
  net::HttpResponse key_refused(const KeyAuth& auth, const std::string& key) override {
    switch (auth.problem) {
      case KeyProblem::kMissing:
        return openai_error(401, "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.",
                            "invalid_api_key");
      case KeyProblem::kDisabled: return openai_error(401, "This API key is disabled.", "invalid_api_key");
      case KeyProblem::kExpired: return openai_error(401, "This API key has expired.", "invalid_api_key");
      case KeyProblem::kExhausted:  // counted in the window, and says so
        return rate_limited(openai_error(429, "You exceeded your current quota: this API key has no quota left.",
                                         "insufficient_quota", "", "insufficient_quota"),
                            ctx_.store().admit(auth.key), ctx_.clock());
      default: return openai_error(401, "Incorrect API key provided: " + mask_secret(key) + ".", "invalid_api_key");
    }
  }
  net::HttpResponse over_rate(const RateDecision& rate) override {
    return openai_error(429,
                        "Rate limit reached: " + std::to_string(rate.limit) +
                            " requests per minute. Retry after the window resets.",
                        "rate_limit_exceeded");
  }
  net::HttpResponse bad_request(const Problem& p) const override {
    // OpenAI sends code null for an invalid value and "unknown_parameter"
    // for a field it does not know (--strict-params).
    return openai_error(p.status, p.message, p.code == "unknown_parameter" ? p.code : "", p.param);
  }

  net::HttpResponse operation(const Call& call) override {
    if (call.operation() == "listModels") return list_models(call.request);
    if (call.operation() == "getResponse" || call.operation() == "deleteResponse") return stored_response(call);
    json body;
    if (auto refused = parse_body(call, body)) return *refused;
    if (call.operation() == "createChatCompletion") return chat(body, call.key());
    if (call.operation() == "createResponse") return create_response(body, call.key());
    if (call.operation() == "createCompletion") return completion(body, call.key());
    return embeddings(body, call.key());
  }

  // The catalog does not change while the mock runs: each filter's answer
  // is serialized once.
  net::HttpResponse list_models(const net::HttpRequest& request) {
    const auto provider = request.query_param("provider");
    const auto type = request.query_param("type");
    const std::string cache_key = provider.value_or("*") + "\n" + type.value_or("*");
    {
      std::lock_guard lock(models_mutex_);
      if (auto it = models_cache_.find(cache_key); it != models_cache_.end()) return it->second;
    }
    json data = json::array();
    for (const auto& m : ctx_.models()) {
      if (std::find(m.families.begin(), m.families.end(), "aiproxy") == m.families.end()) continue;
      if (provider && m.provider != *provider) continue;
      if (type && m.type != *type) continue;
      data.push_back({{"id", m.id},
                      {"object", "model"},
                      {"provider", m.provider},
                      {"type", m.type},
                      {"context_window", m.context_window},
                      {"pricing", {{"input", m.price_input}, {"output", m.price_output}}}});
    }
    net::HttpResponse r = net::HttpResponse::json(200, {{"object", "list"}, {"data", std::move(data)}});
    std::lock_guard lock(models_mutex_);
    return models_cache_.emplace(cache_key, std::move(r)).first->second;
  }

  // Finds the model and a healthy provider for it, or says why not.
  /// The model a request names and the provider that serves it, or the refusal.
  struct Resolved {
    const ModelSpec* model = nullptr;
    std::string provider;
    std::optional<net::HttpResponse> refused;
  };

  Resolved resolve(const json& body, const std::string& type) const {
    const std::string id = body["model"].get<std::string>();
    Resolved r;
    r.model = ctx_.model(id, "aiproxy");
    if (!r.model) {
      r.refused = openai_error(404, "The model '" + id + "' does not exist.", "model_not_found", "model");
    } else if (r.model->type != type && !(type == "completion" && r.model->type == "chat")) {
      // (A chat model also serves /v1/completions: seed 002's own example
      // sends gpt-4-turbo there, as OpenAI-compatible proxies allow.)
      r.refused = openai_error(
          400, "The model '" + id + "' is a " + r.model->type + " model, not a " + type + " model.", "", "model");
    } else {
      r.provider = ctx_.pick_provider(*r.model, body.value("provider", ""));
      if (r.provider.empty())
        r.refused =
            openai_error(500, "Every upstream provider of '" + id + "' is unavailable.", "provider_unavailable");
    }
    return r;
  }

  std::optional<net::HttpResponse> bill(const ApiKey& key, const ModelSpec& model, const Usage& usage,
                                        const std::string& what) {
    const Charge c = token_charge(model, usage, what);
    switch (ctx_.store().charge(key.id, c)) {
      case ChargeResult::kCharged: return std::nullopt;
      case ChargeResult::kKeyGone: return openai_error(401, "This API key was deleted.", "invalid_api_key");
      case ChargeResult::kInsufficientQuota: {
        net::HttpResponse r = openai_error(
            429, "You exceeded your current quota: this call costs " + std::to_string(c.quota) + " quota.",
            "insufficient_quota", "", "insufficient_quota");
        r.headers.emplace_back("Retry-After", "60");
        return r;
      }
    }
    return std::nullopt;
  }

  /// A chat request answered and billed: what chat completions and the
  /// Responses API share.
  struct Answered {
    const ModelSpec* model = nullptr;
    std::string provider;
    ChatAnswer answer;
    Usage usage;
    LatencyProfile latency;  ///< the model's, with its wait at capacity before the first token
  };

  // `chat` is a chat completion body; `input` names its messages in
  // refusals ("messages", or "input" for the Responses API); `terms` puts
  // plan_chat's refusals in the caller's terms.
  std::optional<net::HttpResponse> answer_chat(const json& chat, const ApiKey& key, const std::string& input,
                                               const std::string& what, ChatRefusal (*terms)(ChatRefusal),
                                               Answered& out) {
    auto resolved = resolve(chat, "chat");
    if (resolved.refused) return resolved.refused;
    out.model = resolved.model;
    out.provider = std::move(resolved.provider);
    // max_completion_tokens is OpenAI's newer name; it wins when both are sent.
    const std::int64_t max_tokens = integer_field(chat, "max_completion_tokens", integer_field(chat, "max_tokens", -1));
    out.usage.prompt_tokens = chat_prompt_tokens(chat["messages"]);
    const std::int64_t requested = out.usage.prompt_tokens + std::max<std::int64_t>(0, max_tokens);
    if (requested > out.model->context_window)
      return openai_error(400,
                          context_exceeded(out.model->context_window, requested) + " (" +
                              std::to_string(out.usage.prompt_tokens) + " in the " + input + ").",
                          "context_length_exceeded", input);
    ChatPlan plan = plan_chat(chat, out.model->id, max_tokens);
    if (plan.refused) {
      const ChatRefusal r = terms ? terms(*plan.refused) : *plan.refused;
      return openai_error(400, r.message, r.code, r.param);
    }
    out.answer = std::move(*plan.answer);
    out.usage.completion_tokens = out.answer.completion_tokens;
    if (auto busy = admit(*out.model, out.usage.completion_tokens, out.latency)) return busy;
    return bill(key, *out.model, out.usage, what);
  }

  net::HttpResponse chat(const json& body, const ApiKey& key) {
    Answered a;
    if (auto refused = answer_chat(body, key, "messages", "chat completion", nullptr, a)) return *refused;
    const json head = {
        {"id", new_id("chatcmpl-")}, {"created", ctx_.clock().now_s()}, {"model", a.model->id}, {"provider", a.provider}};
    if (boolean_field(body, "stream", false)) {
      const bool include_usage =
          body.contains("stream_options") && boolean_field(body["stream_options"], "include_usage", false);
      return chat_stream_response(head, std::move(a.answer), a.usage, include_usage, a.latency);
    }
    net::HttpResponse r = net::HttpResponse::json(200, chat_completion_body(head, a.answer, a.usage));
    r.delay = MockContext::answer_delay(a.latency, a.usage.completion_tokens);
    return r;
  }

  // POST /v1/responses: the request read as a chat request (on top of the
  // stored conversation of previous_response_id), answered, billed and
  // logged as chat is, stored unless `store: false`.
  net::HttpResponse create_response(const json& body, const ApiKey& key) {
    json history;
    const std::string previous = body.contains("previous_response_id") && body["previous_response_id"].is_string()
                                     ? body["previous_response_id"].get<std::string>()
                                     : "";
    if (!previous.empty()) {
      auto stored = responses_.get(previous, key.account);
      if (!stored)
        return openai_error(400, "Previous response with id '" + previous + "' not found.", "previous_response_not_found",
                            "previous_response_id");
      history = stored->conversation;
    }
    ResponsesAsChat request = responses_as_chat(body, history, [&](const std::string& id) {
      return responses_.item(id, key.account);
    });
    if (request.refused) return openai_error(400, request.refused->message, request.refused->code, request.refused->param);
    if (body.contains("provider")) request.chat["provider"] = body["provider"];
    Answered a;
    if (auto refused = answer_chat(request.chat, key, "input", "response", in_responses_terms, a)) return *refused;
    const ResponseHead head{new_id("resp_"), ctx_.clock().now_s(), a.model->id, a.provider};
    json response = response_object(head, body, a.answer, a.usage);
    if (boolean_field(body, "store", true)) {
      StoredResponse stored;
      stored.account = key.account;
      stored.conversation = json::array();
      stored.response = response;
      // The instructions hold for one request only.
      for (std::size_t i = request.conversation_from; i < request.chat["messages"].size(); ++i)
        stored.conversation.push_back(std::move(request.chat["messages"][i]));
      const json said = answer_messages(a.answer);
      for (const auto& m : said) stored.conversation.push_back(m);
      const json& items = response["output"];
      for (std::size_t i = 0; i < items.size(); ++i) {
        json message = said.empty() ? json() : said[0];
        if (items[i]["type"] == "function_call")  // one call of the assistant's turn
          message["tool_calls"] = json::array({said[0]["tool_calls"][i]});
        stored.items[items[i]["id"].get<std::string>()] = std::move(message);
      }
      responses_.put(head.id, std::move(stored));
    }
    if (boolean_field(body, "stream", false))
      return response_stream_response(std::move(response), std::move(a.answer), a.latency);
    net::HttpResponse r = net::HttpResponse::json(200, response);
    r.delay = MockContext::answer_delay(a.latency, a.usage.completion_tokens);
    return r;
  }

  net::HttpResponse stored_response(const Call& call) {
    const std::string& id = call.path_param("response_id");
    if (call.request.method == "DELETE") {
      if (!responses_.erase(id, call.key().account)) return response_not_found(id);
      return net::HttpResponse::json(200, {{"id", id}, {"object", "response"}, {"deleted", true}});
    }
    auto stored = responses_.get(id, call.key().account);
    if (!stored) return response_not_found(id);
    return net::HttpResponse::json(200, stored->response);
  }

  static net::HttpResponse response_not_found(const std::string& id) {
    return openai_error(404, "Response with id '" + id + "' not found.");
  }

  net::HttpResponse completion(const json& body, const ApiKey& key) {
    const auto [model, provider, refused] = resolve(body, "completion");
    if (refused) return *refused;
    const std::int64_t max_tokens = integer_field(body, "max_tokens", 16);
    const std::vector<std::string> prompts = one_or_many(body["prompt"]);
    Usage usage;
    json choices = json::array();
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      const std::int64_t prompt_tokens = count_tokens(prompts[i]);
      if (prompt_tokens + max_tokens > model->context_window)
        return openai_error(400,
                            context_exceeded(model->context_window, prompt_tokens + max_tokens) + " (" +
                                std::to_string(prompt_tokens) + " in your prompt; " + std::to_string(max_tokens) +
                                " for the completion).",
                            "context_length_exceeded", "prompt");
      Generation gen = generate_text(model->id, prompts[i], max_tokens);
      usage.prompt_tokens += prompt_tokens;
      usage.completion_tokens += static_cast<std::int64_t>(gen.pieces.size());
      choices.push_back({{"text", gen.text()}, {"index", i}, {"finish_reason", gen.finish_reason}});
    }
    LatencyProfile latency;
    if (auto busy = admit(*model, usage.completion_tokens, latency)) return *busy;
    if (auto r = bill(key, *model, usage, "completion")) return *r;
    net::HttpResponse r = net::HttpResponse::json(200, {{"id", new_id("cmpl-")},
                                                        {"object", "text_completion"},
                                                        {"created", ctx_.clock().now_s()},
                                                        {"model", model->id},
                                                        {"provider", provider},
                                                        {"choices", std::move(choices)},
                                                        {"usage", usage.to_json()}});
    r.delay = MockContext::answer_delay(latency, usage.completion_tokens);
    return r;
  }

  net::HttpResponse embeddings(const json& body, const ApiKey& key) {
    const auto [model, provider, refused] = resolve(body, "embedding");
    if (refused) return *refused;
    const std::int64_t dims = integer_field(body, "dimensions", model->dimensions);
    if (dims < 1 || dims > model->dimensions)
      return openai_error(
          400, "'dimensions' must be from 1 to " + std::to_string(model->dimensions) + " for " + model->id + ".", "",
          "dimensions");
    const bool base64 = body.value("encoding_format", "float") == "base64";
    // OpenAI's limit, which also bounds the answer: 2,048 vectors of the
    // model's dimensions at most.
    if (body["input"].is_array() && body["input"].size() > kMaxEmbeddingInputs)
      return openai_error(400,
                          "'input' may hold at most " + std::to_string(kMaxEmbeddingInputs) + " items; it holds " +
                              std::to_string(body["input"].size()) + ".",
                          "", "input");
    const std::vector<std::string> inputs = one_or_many(body["input"]);
    if (static_cast<std::int64_t>(inputs.size()) * dims > kMaxEmbeddingValues)
      return openai_error(400,
                          std::to_string(inputs.size()) + " inputs of " + std::to_string(dims) + " dimensions make " +
                              std::to_string(static_cast<std::int64_t>(inputs.size()) * dims) +
                              " numbers; the mock answers at most " + std::to_string(kMaxEmbeddingValues) +
                              " per request (fewer inputs or 'dimensions').",
                          "", "input");
    std::int64_t requested = 0;
    for (const auto& in : inputs) requested += count_tokens(in);
    if (requested > kMaxEmbeddingTokens)
      return openai_error(400,
                          "Requested " + std::to_string(requested) + " tokens, max " +
                              std::to_string(kMaxEmbeddingTokens) + " tokens per request",
                          "max_tokens_per_request", "input");
    Usage usage;
    json data = json::array();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const std::int64_t tokens = count_tokens(inputs[i]);
      if (tokens > model->context_window)
        return openai_error(400,
                            "This model's maximum context length is " + std::to_string(model->context_window) +
                                " tokens, however input " + std::to_string(i) + " has " + std::to_string(tokens) + ".",
                            "context_length_exceeded", "input");
      usage.prompt_tokens += tokens;
      const auto vector = embed(model->id, inputs[i], static_cast<int>(dims));
      data.push_back({{"object", "embedding"},
                      {"index", i},
                      {"embedding", base64 ? json(floats_base64(vector)) : json(vector)}});
    }
    LatencyProfile latency;
    if (auto busy = admit(*model, 0, latency)) return *busy;
    if (auto r = bill(key, *model, usage, "embeddings")) return *r;
    net::HttpResponse r = net::HttpResponse::json(
        200, {{"object", "list"},
              {"data", std::move(data)},
              {"model", model->id},
              {"provider", provider},
              {"usage", {{"prompt_tokens", usage.prompt_tokens}, {"total_tokens", usage.prompt_tokens}}}});
    r.delay = MockContext::answer_delay(latency, 0);
    return r;
  }

  ResponseStore responses_;  ///< the Responses API's stored responses
  std::mutex models_mutex_;
  std::map<std::string, net::HttpResponse> models_cache_;  ///< "provider\ntype" -> answer
};

}  // namespace

std::unique_ptr<FamilyService> make_aiproxy(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<AiProxy>(ctx, spec_dir);
}

}  // namespace tollgate::mock
