// Apixo: async image tasks in the {code, message, data} envelope, polled
// or called back; 10000 requests/min and 1000 unfinished tasks per key.
#include <algorithm>

#include "mock-server/families/family.h"
#include "mock-server/families/media_tasks.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

constexpr std::int64_t kLinkLifetimeMs = 15LL * 24 * 3600 * 1000;  // result URLs last 15 days

net::HttpResponse envelope(int status, const std::string& message) {
  return net::HttpResponse::json(status, {{"code", status}, {"message", message}, {"data", nullptr}});
}

class Apixo final : public FamilyService {
 public:
  Apixo(MockContext& ctx, const std::filesystem::path& spec_dir)
      : ctx_(ctx), routes_({contract::Contract::load(spec_dir / "apixo.yaml")}) {}

  net::HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return envelope(status, message);
  }

  net::HttpResponse handle(const net::HttpRequest& request, std::string_view path) override {
    const auto routed = routes_.route(request.method, path);
    if (routed.match.kind == contract::Match::Kind::kNoPath) return envelope(404, "No endpoint " + std::string(path));
    if (routed.match.kind == contract::Match::Kind::kWrongMethod) {
      net::HttpResponse r = envelope(405, "Method not allowed");
      r.headers.emplace_back("Allow", allow_list(routed.match));
      return r;
    }
    const KeyAuth auth = ctx_.store().authenticate(bearer_token(request), "apixo");
    switch (auth.problem) {
      case KeyProblem::kNone: break;
      case KeyProblem::kDisabled: return envelope(401, "API key is disabled");
      case KeyProblem::kExpired: return envelope(401, "API key has expired");
      case KeyProblem::kExhausted: return envelope(400, "Insufficient credits");
      default: return envelope(401, "Invalid or missing API key");
    }
    const RateDecision rate = ctx_.store().admit(auth.key);
    if (!rate.allowed)
      return rate_limited(envelope(429, "Rate limit exceeded: " + std::to_string(rate.limit) + " requests per minute"),
                          rate, ctx_.clock());
    if (auto p = routes_.check_parameters(routed, request)) return envelope(400, p->message);
    const std::string& model_id = routed.match.path_params.at("model");
    const ModelSpec* model = ctx_.model(model_id, "apixo");
    if (!model) return envelope(400, "Unknown model '" + model_id + "'");
    if (routed.match.operation->id == "generateTask") return generate(routed, request, auth, *model);
    return status(request, auth, *model);
  }

  /// The statusTask body of a task; also what callbacks carry.
  static json status_body(const Task& t) {
    static const char* kStates[] = {"pending", "processing", "success", "failed"};
    json data = {{"taskId", t.id}, {"state", kStates[static_cast<int>(t.state)]}, {"createTime", t.created_ms}};
    if (t.state == TaskState::kSucceeded) {
      json urls = json::array();
      for (std::size_t i = 0; i < t.images.size(); ++i) urls.push_back(t.base_url + t.result_path(i));
      data["resultJson"] = json{{"resultUrls", urls}}.dump();
    }
    if (t.state == TaskState::kFailed) {
      data["failCode"] = t.fail_code;
      data["failMsg"] = t.fail_msg;
    }
    if (t.finished()) {
      data["completeTime"] = t.finish_ms;
      data["costTime"] = t.finish_ms - t.created_ms;
    }
    return {{"code", 200}, {"message", "success"}, {"data", std::move(data)}};
  }

 private:
  net::HttpResponse generate(const ContractRoutes::Routed& routed, const net::HttpRequest& request, const KeyAuth& auth,
                        const ModelSpec& model) {
    json body;
    if (auto p = routes_.parse_body(routed, request, body)) return envelope(400, p->message);
    const std::string type = body.value("request_type", "async");
    const std::string callback_url = body.value("callback_url", "");
    if (type == "callback" && callback_url.empty())
      return envelope(400, "callback_url is required when request_type is callback");
    if (type == "callback") {
      if (auto problem = ctx_.callback_problem(callback_url); !problem.empty())
        return envelope(400, "callback_url: " + problem);
    }
    const json& input = body["input"];
    const int n = input.value("num_images", 1);
    const std::string ratio = input.value("aspect_ratio", "1:1");
    const std::string provider = body.value("provider", "auto");

    Task task;
    task.id = new_id("task_");
    task.family = "apixo";
    task.model = model.id;
    task.prompt = input["prompt"];
    task.key_id = auth.key.id;
    task.base_url = base_url_of(request);
    if (type == "callback") task.callback_url = callback_url;
    task.quota = static_cast<std::int64_t>(model.image.price_per_image * kQuotaPerUsd + 0.5) * n;
    task.extra = {{"num_images", n}, {"aspect_ratio", ratio}, {"provider", provider}, {"request_type", type}};
    schedule(task, ctx_.clock().now_ms(), task_duration_ms(model, ctx_.realistic(), task.id));
    task.expires_ms = task.finish_ms + kLinkLifetimeMs;
    // Deterministic outcomes, decided now and shown when the task ends.
    if (const auto word = moderation_hit(task.prompt, ctx_.moderation_words()); !word.empty()) {
      task.fail_code = "CONTENT_VIOLATION";
      task.fail_msg = "Content does not meet safety guidelines";
    } else {
      for (const auto& url : input.value("image_urls", json::array())) {
        const auto problem = image_url_problem(url.get<std::string>());
        if (problem.empty()) continue;
        task.fail_code = "INVALID_IMAGE_URL";
        task.fail_msg = "Image URL " + url.get<std::string>() + " is unusable: " + problem;
        break;
      }
    }
    if (task.fail_code.empty()) {
      int w = 1024, h = 1024;
      size_for_ratio(ratio, 1024, model.image.max_side, w, h);
      for (int i = 0; i < n; ++i)
        task.images.push_back({w, h, ImageFormat::kPng, seed_of(task.prompt, static_cast<std::uint64_t>(i) + 1)});
    }
    const std::string id = task.id;
    switch (ctx_.store().submit_task(std::move(task), std::to_string(n) + " image(s) with " + model.id)) {
      case SubmitResult::kAccepted: break;
      case SubmitResult::kInsufficientQuota: return envelope(400, "Insufficient credits");
      case SubmitResult::kTooManyTasks:
        return envelope(429, "Rate limit exceeded: " + std::to_string(auth.key.max_concurrent_tasks) +
                                 " concurrent tasks per key are running");
      case SubmitResult::kKeyGone: return envelope(401, "Invalid or missing API key");
    }
    return net::HttpResponse::json(200, {{"code", 200}, {"message", "success"}, {"data", {{"taskId", id}}}});
  }

  net::HttpResponse status(const net::HttpRequest& request, const KeyAuth& auth, const ModelSpec& model) {
    const std::string id = request.query_param("taskId").value_or("");
    const auto task = ctx_.store().task(id);
    if (!task || task->account != auth.key.account || task->family != "apixo")
      return envelope(400, "Task '" + id + "' not found");
    if (task->model != model.id)
      return envelope(400, "Task '" + id + "' belongs to model '" + task->model + "', not '" + model.id + "'");
    return net::HttpResponse::json(200, status_body(*task));
  }

  MockContext& ctx_;
  ContractRoutes routes_;
};

}  // namespace

nlohmann::json apixo_status_body(const Task& task) { return Apixo::status_body(task); }

std::unique_ptr<FamilyService> make_apixo(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<Apixo>(ctx, spec_dir);
}

}  // namespace tollgate::mock
