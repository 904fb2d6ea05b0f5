// Apixo: async image tasks in the {code, message, data} envelope, polled
// or called back; 10000 requests/min and 1000 unfinished tasks per key.
#include <algorithm>

#include "mock-server/families/media_tasks.h"
#include "mock-server/content/images.h"
#include "mock-server/families/pipeline.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

constexpr std::int64_t kLinkLifetimeMs = 15LL * 24 * 3600 * 1000;  // result URLs last 15 days

net::HttpResponse envelope(int status, const std::string& message) {
  return net::HttpResponse::json(status, {{"code", status}, {"message", message}, {"data", nullptr}});
}

/// The deterministic outcome of a task, decided at submit and shown when it
/// ends: a moderation word fails it, so does an unusable reference image.
void decide_outcome(Task& task, const json& input, const std::vector<std::string>& moderation_words) {
  if (const auto word = moderation_hit(task.prompt, moderation_words); !word.empty()) {
    task.fail_code = "CONTENT_VIOLATION";
    task.fail_msg = "Content does not meet safety guidelines";
    return;
  }
  for (const auto& url : input.value("image_urls", json::array())) {
    const auto problem = image_url_problem(url.get<std::string>());
    if (problem.empty()) continue;
    task.fail_code = "INVALID_IMAGE_URL";
    task.fail_msg = "Image URL " + url.get<std::string>() + " is unusable: " + problem;
    return;
  }
}

class Apixo final : public Pipeline {
 public:
  Apixo(MockContext& ctx, const std::filesystem::path& spec_dir)
      : Pipeline(ctx, {.family = "apixo", .rate_limited = true},
                 {contract::Contract::load(spec_dir / "apixo.yaml")}) {}

  net::HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return envelope(status, message);
  }

 private:
  net::HttpResponse no_route(const net::HttpRequest&, std::string_view path) const override {
    return envelope(404, "No endpoint " + std::string(path));
  }
  net::HttpResponse wrong_method(const net::HttpRequest&, std::string_view, const std::string&) const override {
    return envelope(405, "Method not allowed");
  }
  net::HttpResponse key_refused(const KeyAuth& auth, const std::string&) override {
    switch (auth.problem) {
      case KeyProblem::kDisabled: return envelope(401, "API key is disabled");
      case KeyProblem::kExpired: return envelope(401, "API key has expired");
      case KeyProblem::kExhausted: return envelope(400, "Insufficient credits");
      default: return envelope(401, "Invalid or missing API key");
    }
  }
  net::HttpResponse over_rate(const RateDecision& rate) override {
    return envelope(429, "Rate limit exceeded: " + std::to_string(rate.limit) + " requests per minute");
  }
  net::HttpResponse bad_request(const Problem& p) const override { return envelope(400, p.message); }

  net::HttpResponse operation(const Call& call) override {
    const std::string& model_id = call.path_param("model");
    const ModelSpec* model = ctx_.model(model_id, "apixo");
    if (!model) return envelope(400, "Unknown model '" + model_id + "'");
    if (call.operation() == "generateTask") return generate(call, *model);
    return status(call, *model);
  }

  net::HttpResponse generate(const Call& call, const ModelSpec& model) {
    json body;
    if (auto refused = parse_body(call, body)) return *refused;
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

    Task task;
    task.id = new_id("task_");
    task.family = "apixo";
    task.model = model.id;
    task.prompt = input["prompt"];
    task.key_id = call.key().id;
    task.base_url = base_url_of(call.request);
    if (type == "callback") task.callback_url = callback_url;
    task.quota = static_cast<std::int64_t>(model.image.price_per_image * kQuotaPerUsd + 0.5) * n;
    task.extra = {{"num_images", n},
                  {"aspect_ratio", ratio},
                  {"provider", body.value("provider", "auto")},
                  {"request_type", type}};
    schedule(task, ctx_.clock().now_ms(), task_duration_ms(model, ctx_.realistic(), task.id));
    task.expires_ms = task.finish_ms + kLinkLifetimeMs;
    decide_outcome(task, input, ctx_.moderation_words());
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
        return envelope(429, "Rate limit exceeded: " + std::to_string(call.key().max_concurrent_tasks) +
                                 " concurrent tasks per key are running");
      case SubmitResult::kKeyGone: return envelope(401, "Invalid or missing API key");
    }
    return net::HttpResponse::json(200, {{"code", 200}, {"message", "success"}, {"data", {{"taskId", id}}}});
  }

  net::HttpResponse status(const Call& call, const ModelSpec& model) {
    const std::string id = call.request.query_param("taskId").value_or("");
    const auto task = ctx_.store().task(id);
    if (!task || task->account != call.key().account || task->family != "apixo")
      return envelope(400, "Task '" + id + "' not found");
    if (task->model != model.id)
      return envelope(400, "Task '" + id + "' belongs to model '" + task->model + "', not '" + model.id + "'");
    return net::HttpResponse::json(200, apixo_status_body(*task));
  }
};

}  // namespace

json apixo_status_body(const Task& t) {
  static const char* kStates[] = {"pending", "processing", "success", "failed"};
  json data = {{"taskId", t.id}, {"state", kStates[static_cast<int>(t.state)]}, {"createTime", t.created_ms}};
  if (t.state == TaskState::kSucceeded) data["resultJson"] = json{{"resultUrls", result_urls(t)}}.dump();
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

std::unique_ptr<FamilyService> make_apixo(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<Apixo>(ctx, spec_dir);
}

}  // namespace tollgate::mock
