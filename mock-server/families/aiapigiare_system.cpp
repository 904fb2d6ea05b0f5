// aiapigiare's System API: the account, its keys and their quota, its
// Media tasks and logs, and the model catalog, in the {success, message,
// data} envelope; authenticated by the account's access key.
#include <algorithm>
#include <cctype>

#include "common/secrets.h"
#include "mock-server/families/aiapigiare.h"
#include "mock-server/families/media_tasks.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

net::HttpResponse envelope_error(int status, const std::string& message) {
  return net::HttpResponse::json(status, {{"success", false}, {"message", message}});
}

net::HttpResponse ok(json data) {
  json body = {{"success", true}, {"message", ""}};
  if (!data.is_null()) body["data"] = std::move(data);
  return net::HttpResponse::json(200, body);
}

json key_json(const ApiKey& k) {
  return {{"id", k.id},
          {"key", mask_secret(k.key)},
          {"name", k.name},
          {"status", static_cast<int>(k.status)},
          {"remain_quota", k.remain_quota},
          {"unlimited_quota", k.unlimited_quota},
          {"used_quota", k.used_quota},
          {"expired_time", k.expired_time},
          {"created_time", k.created_time},
          {"accessed_time", k.accessed_time}};
}

json log_json(const LogEntry& e) {
  return {{"id", e.id},
          {"created_at", e.created_at},
          {"type", static_cast<int>(e.type)},
          {"content", e.content},
          {"username", e.username},
          {"token_name", e.token_name},
          {"model_name", e.model_name},
          {"quota", e.quota},
          {"prompt_tokens", e.prompt_tokens},
          {"completion_tokens", e.completion_tokens}};
}

std::string title_case(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

/// A catalog entry of the models operation: the fixture's catalog fields,
/// defaults from the model's type and prices, uptime from provider health.
json catalog_json(const ModelSpec& m, bool up) {
  const json& c = m.catalog;
  const bool image = m.type == "image";
  // A token-priced model's "price per request": 1,000 tokens in and out.
  const double price = c.value("price_per_request", image ? 0.0 : m.price_input + m.price_output);
  json category =
      c.value("category", json::array({image ? "Image" : m.type == "embedding" ? "Embedding" : "Text Generation"}));
  json saving = c.value("saving_details", json{{"official_price", price}, {"our_price", price}, {"saving_percent", 0}});
  const char* endpoint = image ? "/v1/images/generations"
                         : m.type == "embedding" ? "/v1/embeddings"
                         : m.type == "completion" ? "/v1/completions"
                                                  : "/v1/chat/completions";
  return {{"model_name", m.id},
          {"uptime", c.value("uptime", up ? 1 : 0)},
          {"is_deprecation", c.value("is_deprecation", 0)},
          {"endpoint", c.value("endpoint", endpoint)},
          {"billing_type", c.value("billing_type", image ? "pay-per-request" : "pay-per-token")},
          {"price_per_request", price},
          {"provider_name", c.value("provider_name", title_case(m.provider))},
          {"category", std::move(category)},
          {"docs", c.value("docs", "https://docs.aiapigiare.io.vn/models/" + m.id)},
          {"saving_details", std::move(saving)}};
}

/// A query parameter the contract has validated as an integer.
std::optional<std::int64_t> integer_param(const net::HttpRequest& request, const char* name) {
  auto v = request.query_param(name);
  if (!v) return std::nullopt;
  return std::stoll(*v);
}

class SystemApi final : public AiapigiareApi {
 public:
  // Access keys, no rate window.
  SystemApi(MockContext& ctx, const std::filesystem::path& spec_dir)
      : AiapigiareApi(ctx, {.family = "aiapigiare", .rate_limited = false},
                      {contract::Contract::load(spec_dir / "aiapigiare-system.yaml")}) {}

 private:
  net::HttpResponse error(int status, const std::string& message) const override {
    return envelope_error(status, message);
  }
  std::optional<net::HttpResponse> identify(const net::HttpRequest& request, Caller& caller) override {
    const auto account = ctx_.store().account_by_access_key(bearer_token(request));
    if (!account) return envelope_error(401, "Unauthorized: missing or invalid access key");
    caller.account = *account;
    return std::nullopt;
  }
  net::HttpResponse bad_request(const Problem& p) const override { return envelope_error(400, p.message); }

  net::HttpResponse operation(const Call& call) override {
    const Account& a = call.caller.account;
    const std::string& op = call.operation();
    if (op == "getUser") return user(a);
    if (op == "listApiKeys") return list_keys(a, call.request);
    if (op == "deleteApiKey") return delete_key(a, call);
    if (op == "editKeyQuota") return edit_quota(a, call);
    if (op == "listTasks") return list_tasks(a, call.request);
    if (op == "listLogs") return logs(a, call.request);
    return models();
  }

  net::HttpResponse user(const Account& a) const {
    // Live figures: read the account again after any charges.
    const Account now = ctx_.store().account(a.id).value_or(a);
    return ok({{"access_token", mask_secret(now.access_key)},
               {"display_name", now.display_name},
               {"email", now.email},
               {"quota", now.quota},
               {"request_count", now.request_count},
               {"role", now.role},
               {"telegram_id", now.telegram_id},
               {"used_quota", now.used_quota},
               {"username", now.username}});
  }

  net::HttpResponse list_keys(const Account& a, const net::HttpRequest& request) const {
    json data = json::array();
    for (const auto& k : ctx_.store().keys_of(a.id, request.query_param("keyword").value_or("")))
      data.push_back(key_json(k));
    return ok(std::move(data));
  }

  static std::int64_t key_id(const Call& call) {
    return std::stoll(call.path_param("key_id"));  // validated as an integer already
  }

  net::HttpResponse delete_key(const Account& a, const Call& call) {
    if (!ctx_.store().delete_key(a.id, key_id(call))) return envelope_error(404, "API key not found");
    return ok(nullptr);
  }

  net::HttpResponse edit_quota(const Account& a, const Call& call) {
    json body;
    if (auto refused = parse_body(call, body)) return *refused;
    std::optional<bool> unlimited;
    if (body.contains("unlimited_quota")) unlimited = body["unlimited_quota"].get<bool>();
    const auto key = ctx_.store().edit_quota(a.id, key_id(call), body["remain_quota"].get<std::int64_t>(), unlimited);
    if (!key) return envelope_error(404, "API key not found");
    return ok(key_json(*key));
  }

  net::HttpResponse list_tasks(const Account& a, const net::HttpRequest& request) {
    const auto start = integer_param(request, "start_timestamp").value_or(0);
    const auto end = integer_param(request, "end_timestamp").value_or(0);
    json data = json::array();
    static const char* kStatus[] = {"queued", "processing", "completed", "failed"};
    for (const auto& t : ctx_.store().tasks_of(a.id, "aiapigiare", start, end))
      data.push_back({{"task_id", t.id},
                      {"model", t.model},
                      {"status", kStatus[static_cast<int>(t.state)]},
                      {"quota", t.state == TaskState::kFailed ? 0 : t.quota},
                      {"submit_time", t.created_ms / 1000},
                      {"finish_time", t.finished() ? t.finish_ms / 1000 : 0},
                      {"progress", std::to_string(progress(t, ctx_.clock().now_ms())) + "%"},
                      {"fail_reason", t.fail_msg}});
    return ok(std::move(data));
  }

  net::HttpResponse logs(const Account& a, const net::HttpRequest& request) const {
    LogQuery q;
    q.page = integer_param(request, "p").value_or(1);
    q.page_size = integer_param(request, "page_size").value_or(10000);
    q.type = static_cast<int>(integer_param(request, "type").value_or(0));
    q.token_name = request.query_param("token_name");
    q.model_name = request.query_param("model_name");
    q.username = request.query_param("username");
    q.start_s = integer_param(request, "start_timestamp");
    q.end_s = integer_param(request, "end_timestamp");
    const LogPage page = ctx_.store().logs(a.id, q);
    json items = json::array();
    for (const auto& e : page.items) items.push_back(log_json(e));
    return ok({{"items", std::move(items)}, {"total", page.total}, {"page", q.page}, {"page_size", q.page_size}});
  }

  net::HttpResponse models() const {
    json data = json::array();
    for (const auto& m : ctx_.models())
      if (std::find(m.families.begin(), m.families.end(), "aiapigiare") != m.families.end())
        data.push_back(catalog_json(m, !ctx_.pick_provider(m, "").empty()));
    return ok(std::move(data));
  }
};

}  // namespace

std::unique_ptr<FamilyService> make_aiapigiare_system(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<SystemApi>(ctx, spec_dir);
}

}  // namespace tollgate::mock
