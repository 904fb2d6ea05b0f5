// aiapigiare: the System API (account, keys, quota, tasks, logs, catalog)
// in the {success, message, data} envelope, and the Media API: async image
// tasks with auto-route failover between sources and results on the CDN.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "mock-server/families/family.h"
#include "mock-server/families/media_tasks.h"

namespace tollgate::mock {

using nlohmann::json;

/// How far a task is, 0 to 100, by the clock.
int progress(const Task& t, std::int64_t now_ms);

namespace {

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

  net::HttpResponse fault(int status, const std::string& message, std::string_view path) override {
    return error(path.starts_with("/AiApiGiaRe/"), status, message);
  }

  net::HttpResponse handle(const net::HttpRequest& request, std::string_view path) override {
    const bool system = path.starts_with("/AiApiGiaRe/");
    const auto routed = routes_.route(request.method, path);
    if (routed.match.kind == contract::Match::Kind::kNoPath)
      return error(system, 404, "No endpoint " + request.method + " " + std::string(path));
    if (routed.match.kind == contract::Match::Kind::kWrongMethod) {
      const std::string allow = allow_list(routed.match);
      net::HttpResponse r = error(system, 405, "Method " + request.method + " is not allowed here; use " + allow);
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    if (!system) return media(routed, request);

    const auto account = ctx_.store().account_by_access_key(bearer_token(request));
    if (!account) return envelope_error(401, "Unauthorized: missing or invalid access key");
    if (auto p = routes_.check_parameters(routed, request)) return envelope_error(400, p->message);

    const std::string& op = routed.match.operation->id;
    if (op == "getUser") return user(*account);
    if (op == "listApiKeys") return list_keys(*account, request);
    if (op == "deleteApiKey") return delete_key(*account, routed);
    if (op == "editKeyQuota") return edit_quota(*account, routed, request);
    if (op == "listTasks") return list_tasks(*account, request);
    if (op == "listLogs") return logs(*account, request);
    return models();
  }

 private:
  static net::HttpResponse media_error(int status, const std::string& code, const std::string& message) {
    return net::HttpResponse::json(status, {{"error", {{"code", code}, {"message", message}}}});
  }

  net::HttpResponse media(const ContractRoutes::Routed& routed, const net::HttpRequest& request) {
    const KeyAuth auth = ctx_.store().authenticate(bearer_token(request), "aiapigiare");
    switch (auth.problem) {
      case KeyProblem::kNone: break;
      case KeyProblem::kDisabled: return media_error(403, "key_disabled", "The API key is disabled");
      case KeyProblem::kExpired: return media_error(403, "key_expired", "The API key has expired");
      case KeyProblem::kExhausted: return media_error(403, "insufficient_quota", "The key has no quota left");
      default: return media_error(401, "invalid_api_key", "Invalid API key");
    }
    const RateDecision rate = ctx_.store().admit(auth.key);
    if (!rate.allowed)
      return rate_limited(media_error(429, "rate_limit_exceeded",
                                      "Too many requests: " + std::to_string(rate.limit) + " per minute, retry later"),
                          rate, ctx_.clock());
    if (auto p = routes_.check_parameters(routed, request)) return media_error(400, "invalid_request", p->message);
    if (routed.match.operation->id == "getTask") {
      const auto task = ctx_.store().task(routed.match.path_params.at("task_id"));
      if (!task || task->account != auth.key.account || task->family != "aiapigiare")
        return media_error(404, "task_not_found", "No task " + routed.match.path_params.at("task_id"));
      return net::HttpResponse::json(200, media_task_body(*task, ctx_.clock().now_ms()));
    }
    json body;
    if (auto p = routes_.parse_body(routed, request, body)) return media_error(400, "invalid_request", p->message);
    const ModelSpec* model = ctx_.model(body["model"].get<std::string>(), "aiapigiare");
    if (!model || model->type != "image")
      return media_error(404, "model_not_found", "No media model '" + body["model"].get<std::string>() + "'");
    Task task;
    if (auto problem = plan_media(*model, body.value("config", json::object()), task); !problem.empty())
      return media_error(400, "invalid_request", problem);
    task.id = new_id("t_");
    task.family = "aiapigiare";
    task.model = model->id;
    task.prompt = body.value("prompt", "");
    task.key_id = auth.key.id;
    task.base_url = base_url_of(request);
    task.quota = static_cast<std::int64_t>(model->image.price_per_image * kQuotaPerUsd + 0.5) *
                 static_cast<std::int64_t>(task.images.size());
    for (std::size_t i = 0; i < task.images.size(); ++i) task.images[i].seed = seed_of(task.prompt, i + 1);
    // Auto-route: sources failed on purpose for this request, then health.
    FaultAction fault;
    parse_fault_header(request.header("X-Tollgate-Fault"), fault);  // checked by the app already
    route_task(task, ctx_, *model, fault.fail_sources, true);
    std::int64_t duration = task_duration_ms(*model, ctx_.realistic(), task.id);
    duration += duration / 2 * static_cast<std::int64_t>(task.attempts.size() - 1);  // each reroute costs time
    schedule(task, ctx_.clock().now_ms(), duration);
    if (task.source.empty()) {
      task.fail_code = "all_sources_failed";
      task.fail_msg = "No capable source could complete the task";
    }
    const std::string id = task.id;
    const std::int64_t created = task.created_ms / 1000;
    switch (ctx_.store().submit_task(std::move(task), "media task with " + model->id)) {
      case SubmitResult::kAccepted: break;
      case SubmitResult::kInsufficientQuota:
        return media_error(403, "insufficient_quota", "The key's quota does not cover this task");
      case SubmitResult::kTooManyTasks:
        return media_error(429, "rate_limit_exceeded", "Too many unfinished tasks for this key, retry later");
      case SubmitResult::kKeyGone: return media_error(401, "invalid_api_key", "Invalid API key");
    }
    return net::HttpResponse::json(202, {{"task_id", id}, {"status", "queued"}, {"model", model->id}, {"created_at", created}});
  }

  /// Checks `config` against what the model accepts and plans the outputs.
  static std::string plan_media(const ModelSpec& model, const json& config, Task& task) {
    const ImageSpec& spec = model.image;
    int width = 0, height = 0;
    const std::string size = config.value("size", "");
    const std::string ratio = config.value("aspect_ratio", "");
    if (!size.empty()) {
      if (!spec.sizes.empty() && std::find(spec.sizes.begin(), spec.sizes.end(), size) == spec.sizes.end())
        return "config.size " + size + " is not offered by " + model.id + "; use one of " + join(spec.sizes);
      const auto x = size.find('x');
      std::from_chars(size.data(), size.data() + x, width);
      std::from_chars(size.data() + x + 1, size.data() + size.size(), height);
      if (width > spec.max_side || height > spec.max_side)
        return "config.size " + size + " is larger than " + model.id + " allows (" + std::to_string(spec.max_side) +
               " per side)";
    }
    if (!ratio.empty()) {
      if (!spec.aspect_ratios.empty() &&
          std::find(spec.aspect_ratios.begin(), spec.aspect_ratios.end(), ratio) == spec.aspect_ratios.end())
        return "config.aspect_ratio " + ratio + " is not offered by " + model.id + "; use one of " +
               join(spec.aspect_ratios);
      int rw = 1, rh = 1;
      size_for_ratio(ratio, 1024, spec.max_side, rw, rh);
      if (size.empty()) {
        width = rw;
        height = rh;
      } else {
        const auto colon = ratio.find(':');
        const long a = std::stol(ratio.substr(0, colon)), b = std::stol(ratio.substr(colon + 1));
        if (static_cast<long>(width) * b != static_cast<long>(height) * a)
          return "config.size " + size + " does not have the aspect ratio " + ratio;
      }
    }
    if (width == 0) width = height = 1024;
    const json images = config.value("images", json::array());
    if (!images.is_array()) return "config.images must be an array";
    if (static_cast<int>(images.size()) > spec.max_inputs)
      return spec.max_inputs == 0 ? model.id + " does not take input images (config.images)"
                                  : "config.images holds " + std::to_string(images.size()) + " images; " + model.id +
                                        " takes at most " + std::to_string(spec.max_inputs);
    for (std::size_t i = 0; i < images.size(); ++i)
      if (auto problem = media_input_problem(images[i].get<std::string>()); !problem.empty())
        return "config.images[" + std::to_string(i) + "] " + problem;
    const std::string format = config.value("output_format", spec.formats.front());
    if (std::find(spec.formats.begin(), spec.formats.end(), format) == spec.formats.end())
      return "config.output_format " + format + " is not offered by " + model.id + "; use one of " + join(spec.formats);
    const json n = config.value("n", json(1));
    if (!n.is_number_integer() || n.get<int>() < 1 || n.get<int>() > 4) return "config.n must be an integer from 1 to 4";
    for (int i = 0; i < n.get<int>(); ++i)
      task.images.push_back({width, height, format == "webp" ? ImageFormat::kWebp : ImageFormat::kPng, 0});
    task.extra = {{"size", std::to_string(width) + "x" + std::to_string(height)}, {"format", format}};
    return "";
  }

  /// "" when `input` is an http(s) URL, a data: URL or base64; else why not.
  static std::string media_input_problem(const std::string& input) {
    if (input.starts_with("http://") || input.starts_with("https://")) return "";
    std::string_view b64 = input;
    if (input.starts_with("data:")) {
      const auto comma = input.find(',');
      if (comma == std::string::npos || input.substr(0, comma).find(";base64") == std::string::npos ||
          !input.starts_with("data:image/"))
        return "is a data: URL but not data:image/...;base64,...";
      b64 = std::string_view(input).substr(comma + 1);
    }
    const bool base64 = !b64.empty() && b64.size() % 4 == 0 &&
                        std::all_of(b64.begin(), b64.end(), [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
                        }) &&
                        b64.find('=') >= b64.size() - 2;
    return base64 ? "" : "is neither an http(s) URL nor base64";
  }

  static std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  }

  net::HttpResponse list_tasks(const Account& a, const net::HttpRequest& request) {
    const auto start = std::stoll(request.query_param("start_timestamp").value_or("0"));
    const auto end = std::stoll(request.query_param("end_timestamp").value_or("0"));
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

  static net::HttpResponse error(bool system, int status, const std::string& message) {
    if (system) return envelope_error(status, message);
    return net::HttpResponse::json(status, {{"error", {{"code", status == 404 ? "not_found" : "method_not_allowed"},
                                                  {"message", message}}}});
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

  static std::int64_t key_id(const ContractRoutes::Routed& routed) {
    return std::stoll(routed.match.path_params.at("key_id"));  // validated as an integer already
  }

  net::HttpResponse delete_key(const Account& a, const ContractRoutes::Routed& routed) {
    if (!ctx_.store().delete_key(a.id, key_id(routed))) return envelope_error(404, "API key not found");
    return ok(nullptr);
  }

  net::HttpResponse edit_quota(const Account& a, const ContractRoutes::Routed& routed, const net::HttpRequest& request) {
    json body;
    if (auto p = routes_.parse_body(routed, request, body)) return envelope_error(400, p->message);
    std::optional<bool> unlimited;
    if (body.contains("unlimited_quota")) unlimited = body["unlimited_quota"].get<bool>();
    const auto key = ctx_.store().edit_quota(a.id, key_id(routed), body["remain_quota"].get<std::int64_t>(), unlimited);
    if (!key) return envelope_error(404, "API key not found");
    return ok(key_json(*key));
  }

  net::HttpResponse logs(const Account& a, const net::HttpRequest& request) const {
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

  net::HttpResponse models() const {
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

int progress(const Task& t, std::int64_t now_ms) {
  if (t.finished()) return 100;
  if (t.state == TaskState::kQueued || now_ms <= t.start_ms) return 0;
  return static_cast<int>(std::min<std::int64_t>(99, (now_ms - t.start_ms) * 100 / std::max<std::int64_t>(1, t.finish_ms - t.start_ms)));
}

json media_task_body(const Task& t, std::int64_t now_ms) {
  static const char* kStatus[] = {"queued", "processing", "completed", "failed"};
  json body = {{"task_id", t.id}, {"status", kStatus[static_cast<int>(t.state)]}, {"model", t.model},
               {"created_at", t.created_ms / 1000}};
  json attempts = json::array();
  for (const auto& a : t.attempts) {
    json one = {{"source", a.source}, {"status", a.ok ? "succeeded" : "failed"}};
    if (!a.ok) one["error"] = a.error;
    attempts.push_back(std::move(one));
  }
  if (t.state == TaskState::kProcessing) body["progress"] = progress(t, now_ms);
  if (t.finished()) body["updated_at"] = t.finish_ms / 1000;
  if (t.state == TaskState::kSucceeded) {
    json urls = json::array();
    for (std::size_t i = 0; i < t.images.size(); ++i) urls.push_back(t.base_url + t.result_path(i));
    body["result"] = {{"url", urls.front()},
                      {"urls", urls},
                      {"content_type", content_type(t.images.front().format)},
                      {"width", t.images.front().width},
                      {"height", t.images.front().height},
                      {"source", t.source},
                      {"attempts", std::move(attempts)}};
  } else if (t.state == TaskState::kFailed) {
    body["error"] = {{"code", t.fail_code}, {"message", t.fail_msg}};
    body["attempts"] = std::move(attempts);
  }
  return body;
}

std::unique_ptr<FamilyService> make_aiapigiare(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<Aiapigiare>(ctx, spec_dir);
}

}  // namespace tollgate::mock
