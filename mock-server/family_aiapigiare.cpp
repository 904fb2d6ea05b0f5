// aiapigiare: the System API (account, keys, quota, tasks, logs, catalog)
// in the {success, message, data} envelope; the Media API arrives with the
// async task engine and answers 501 until then.
#include <algorithm>
#include <cctype>

#include "mock-server/family.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

HttpResponse envelope_error(int status, const std::string& message) {
  return HttpResponse::json(status, {{"success", false}, {"message", message}});
}

HttpResponse ok(json data) {
  json body = {{"success", true}, {"message", ""}};
  if (!data.is_null()) body["data"] = std::move(data);
  return HttpResponse::json(200, body);
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

std::string title_case(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

class Aiapigiare final : public FamilyService {
 public:
  Aiapigiare(MockContext& ctx, const std::filesystem::path& spec_dir)
      : ctx_(ctx),
        routes_({contract::Contract::load(spec_dir / "aiapigiare-system.yaml"),
                 contract::Contract::load(spec_dir / "aiapigiare-media.yaml")}) {}

  HttpResponse fault(int status, const std::string& message, std::string_view path) override {
    return error(path.starts_with("/AiApiGiaRe/"), status, message);
  }

  HttpResponse handle(const HttpRequest& request, std::string_view path) override {
    const bool system = path.starts_with("/AiApiGiaRe/");
    const auto routed = routes_.route(request.method, path);
    if (routed.match.kind == contract::Match::Kind::kNoPath)
      return error(system, 404, "No endpoint " + request.method + " " + std::string(path));
    if (routed.match.kind == contract::Match::Kind::kWrongMethod) {
      const std::string allow = allow_list(routed.match);
      HttpResponse r = error(system, 405, "Method " + request.method + " is not allowed here; use " + allow);
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    if (!system)
      return HttpResponse::json(501, {{"error",
                                       {{"code", "not_implemented"},
                                        {"message", "the Media API (async tasks) is not implemented by this mock yet"}}}});

    const auto account = ctx_.store().account_by_access_key(bearer_token(request));
    if (!account) return envelope_error(401, "Unauthorized: missing or invalid access key");
    if (auto p = routes_.check_parameters(routed, request)) return envelope_error(400, p->message);

    const std::string& op = routed.match.operation->id;
    if (op == "getUser") return user(*account);
    if (op == "listApiKeys") return list_keys(*account, request);
    if (op == "deleteApiKey") return delete_key(*account, routed);
    if (op == "editKeyQuota") return edit_quota(*account, routed, request);
    if (op == "listTasks") return ok(json::array());
    if (op == "listLogs") return logs(*account, request);
    return models();
  }

 private:
  static HttpResponse error(bool system, int status, const std::string& message) {
    if (system) return envelope_error(status, message);
    return HttpResponse::json(status, {{"error", {{"code", status == 404 ? "not_found" : "method_not_allowed"},
                                                  {"message", message}}}});
  }

  HttpResponse user(const Account& a) const {
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

  HttpResponse list_keys(const Account& a, const HttpRequest& request) const {
    json data = json::array();
    for (const auto& k : ctx_.store().keys_of(a.id, request.query_param("keyword").value_or("")))
      data.push_back(key_json(k));
    return ok(std::move(data));
  }

  static std::int64_t key_id(const ContractRoutes::Routed& routed) {
    return std::stoll(routed.match.path_params.at("key_id"));  // validated as an integer already
  }

  HttpResponse delete_key(const Account& a, const ContractRoutes::Routed& routed) {
    if (!ctx_.store().delete_key(a.id, key_id(routed))) return envelope_error(404, "API key not found");
    return ok(nullptr);
  }

  HttpResponse edit_quota(const Account& a, const ContractRoutes::Routed& routed, const HttpRequest& request) {
    json body;
    if (auto p = routes_.parse_body(routed, request, body)) return envelope_error(400, p->message);
    std::optional<bool> unlimited;
    if (body.contains("unlimited_quota")) unlimited = body["unlimited_quota"].get<bool>();
    const auto key = ctx_.store().edit_quota(a.id, key_id(routed), body["remain_quota"].get<std::int64_t>(), unlimited);
    if (!key) return envelope_error(404, "API key not found");
    return ok(key_json(*key));
  }

  HttpResponse logs(const Account& a, const HttpRequest& request) const {
    LogQuery q;
    auto integer = [&](const char* name) -> std::optional<std::int64_t> {
      auto v = request.query_param(name);
      if (!v) return std::nullopt;
      return std::stoll(*v);  // validated against the contract already
    };
    q.page = integer("p").value_or(1);
    q.page_size = integer("page_size").value_or(10000);
    q.type = static_cast<int>(integer("type").value_or(0));
    q.token_name = request.query_param("token_name");
    q.model_name = request.query_param("model_name");
    q.username = request.query_param("username");
    q.start_s = integer("start_timestamp");
    q.end_s = integer("end_timestamp");
    const LogPage page = ctx_.store().logs(a.id, q);
    json items = json::array();
    for (const auto& e : page.items)
      items.push_back({{"id", e.id},
                       {"created_at", e.created_at},
                       {"type", static_cast<int>(e.type)},
                       {"content", e.content},
                       {"username", e.username},
                       {"token_name", e.token_name},
                       {"model_name", e.model_name},
                       {"quota", e.quota},
                       {"prompt_tokens", e.prompt_tokens},
                       {"completion_tokens", e.completion_tokens}});
    return ok({{"items", std::move(items)}, {"total", page.total}, {"page", q.page}, {"page_size", q.page_size}});
  }

  HttpResponse models() const {
    json data = json::array();
    for (const auto& m : ctx_.models()) {
      if (std::find(m.families.begin(), m.families.end(), "aiapigiare") == m.families.end()) continue;
      const json& c = m.catalog;
      const bool image = m.type == "image";
      // A token-priced model's "price per request": 1,000 tokens in and out.
      const double price = c.value("price_per_request", image ? 0.0 : m.price_input + m.price_output);
      const bool up = !ctx_.pick_provider(m, "").empty();
      json category = c.value("category", json::array({image ? "Image" : m.type == "embedding" ? "Embedding"
                                                                                            : "Text Generation"}));
      json saving = c.value("saving_details", json{{"official_price", price}, {"our_price", price}, {"saving_percent", 0}});
      const char* endpoint = image ? "/v1/images/generations"
                             : m.type == "embedding" ? "/v1/embeddings"
                             : m.type == "completion" ? "/v1/completions"
                                                      : "/v1/chat/completions";
      data.push_back({{"model_name", m.id},
                      {"uptime", c.value("uptime", up ? 1 : 0)},
                      {"is_deprecation", c.value("is_deprecation", 0)},
                      {"endpoint", c.value("endpoint", endpoint)},
                      {"billing_type", c.value("billing_type", image ? "pay-per-request" : "pay-per-token")},
                      {"price_per_request", price},
                      {"provider_name", c.value("provider_name", title_case(m.provider))},
                      {"category", std::move(category)},
                      {"docs", c.value("docs", "https://docs.aiapigiare.io.vn/models/" + m.id)},
                      {"saving_details", std::move(saving)}});
    }
    return ok(std::move(data));
  }

  MockContext& ctx_;
  ContractRoutes routes_;
};

}  // namespace

std::unique_ptr<FamilyService> make_aiapigiare(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<Aiapigiare>(ctx, spec_dir);
}

}  // namespace tollgate::mock
