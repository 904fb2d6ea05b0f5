// aiapigiare's Media API: async image tasks submitted with the API key,
// checked against what each model offers, auto-routed over its sources
// (failing over past ones that are down), results on the mock's CDN.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "mock-server/families/aiapigiare.h"
#include "mock-server/content/images.h"
#include "mock-server/families/media_tasks.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

net::HttpResponse media_error(int status, const std::string& code, const std::string& message) {
  return net::HttpResponse::json(status, {{"error", {{"code", code}, {"message", message}}}});
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

bool offers(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

/// "" when `input` is an http(s) URL, a data: URL or base64; else why not.
std::string media_input_problem(const std::string& input) {
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
                      std::all_of(b64.begin(), b64.end(),
                                  [](char c) {
                                    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' ||
                                           c == '=';
                                  }) &&
                      b64.find('=') >= b64.size() - 2;
  return base64 ? "" : "is neither an http(s) URL nor base64";
}

/// The output size `config` asks of `model` (size, aspect ratio, or both
/// agreeing; 1024x1024 by default), or why it cannot have it.
std::string plan_size(const ModelSpec& model, const json& config, int& width, int& height) {
  const ImageSpec& spec = model.image;
  const std::string size = config.value("size", "");
  const std::string ratio = config.value("aspect_ratio", "");
  if (!size.empty()) {
    if (!spec.sizes.empty() && !offers(spec.sizes, size))
      return "config.size " + size + " is not offered by " + model.id + "; use one of " + join(spec.sizes);
    const auto x = size.find('x');
    std::from_chars(size.data(), size.data() + x, width);
    std::from_chars(size.data() + x + 1, size.data() + size.size(), height);
    if (width > spec.max_side || height > spec.max_side)
      return "config.size " + size + " is larger than " + model.id + " allows (" + std::to_string(spec.max_side) +
             " per side)";
  }
  if (!ratio.empty()) {
    if (!spec.aspect_ratios.empty() && !offers(spec.aspect_ratios, ratio))
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
  return "";
}

/// Checks `config` against what the model accepts and plans the outputs.
std::string plan_media(const ModelSpec& model, const json& config, Task& task) {
  const ImageSpec& spec = model.image;
  int width = 0, height = 0;
  if (auto problem = plan_size(model, config, width, height); !problem.empty()) return problem;
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
  if (!offers(spec.formats, format))
    return "config.output_format " + format + " is not offered by " + model.id + "; use one of " + join(spec.formats);
  const json n = config.value("n", json(1));
  if (!n.is_number_integer() || n.get<std::int64_t>() < 1 || n.get<std::int64_t>() > 4)
    return "config.n must be an integer from 1 to 4";
  for (int i = 0; i < n.get<int>(); ++i)
    task.images.push_back({width, height, format == "webp" ? ImageFormat::kWebp : ImageFormat::kPng, 0});
  task.extra = {{"size", std::to_string(width) + "x" + std::to_string(height)}, {"format", format}};
  return "";
}

/// What GET /task/{id} answers for `task`.
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
    const json urls = result_urls(t);
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

class MediaApi final : public AiapigiareApi {
 public:
  MediaApi(MockContext& ctx, const std::filesystem::path& spec_dir)
      : AiapigiareApi(ctx, {.family = "aiapigiare", .rate_limited = true},
                      {contract::Contract::load(spec_dir / "aiapigiare-media.yaml")}) {}

 private:
  net::HttpResponse error(int status, const std::string& message) const override {
    return media_error(status, status == 404 ? "not_found" : "method_not_allowed", message);
  }
  net::HttpResponse key_refused(const KeyAuth& auth, const std::string&) override {
    switch (auth.problem) {
      case KeyProblem::kDisabled: return media_error(403, "key_disabled", "The API key is disabled");
      case KeyProblem::kExpired: return media_error(403, "key_expired", "The API key has expired");
      case KeyProblem::kExhausted: return media_error(403, "insufficient_quota", "The key has no quota left");
      default: return media_error(401, "invalid_api_key", "Invalid API key");
    }
  }
  net::HttpResponse over_rate(const RateDecision& rate) override {
    return media_error(429, "rate_limit_exceeded",
                       "Too many requests: " + std::to_string(rate.limit) + " per minute, retry later");
  }
  net::HttpResponse bad_request(const Problem& p) const override {
    return media_error(400, "invalid_request", p.message);
  }

  net::HttpResponse operation(const Call& call) override {
    if (call.operation() == "getTask") return get_task(call);
    return submit(call);
  }

  net::HttpResponse get_task(const Call& call) {
    const std::string& id = call.path_param("task_id");
    const auto task = ctx_.store().task(id);
    if (!task || task->account != call.key().account || task->family != "aiapigiare")
      return media_error(404, "task_not_found", "No task " + id);
    return net::HttpResponse::json(200, media_task_body(*task, ctx_.clock().now_ms()));
  }

  net::HttpResponse submit(const Call& call) {
    json body;
    if (auto refused = parse_body(call, body)) return *refused;
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
    task.key_id = call.key().id;
    task.base_url = base_url_of(call.request);
    task.quota = static_cast<std::int64_t>(model->image.price_per_image * kQuotaPerUsd + 0.5) *
                 static_cast<std::int64_t>(task.images.size());
    for (std::size_t i = 0; i < task.images.size(); ++i) task.images[i].seed = seed_of(task.prompt, i + 1);
    route(task, *model, call.request);
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
    return net::HttpResponse::json(
        202, {{"task_id", id}, {"status", "queued"}, {"model", model->id}, {"created_at", created}});
  }

  /// Auto-route: sources failed on purpose for this request, then health;
  /// each reroute costs half the task's time. No source left: it fails.
  void route(Task& task, const ModelSpec& model, const net::HttpRequest& request) const {
    FaultAction fault;
    parse_fault_header(request.header("X-Tollgate-Fault"), fault);  // checked by the app already
    route_task(task, ctx_, model, fault.fail_sources, true);
    std::int64_t duration = task_duration_ms(model, ctx_.realistic(), task.id);
    duration += duration / 2 * static_cast<std::int64_t>(task.attempts.size() - 1);
    schedule(task, ctx_.clock().now_ms(), duration);
    if (task.source.empty()) {
      task.fail_code = "all_sources_failed";
      task.fail_msg = "No capable source could complete the task";
    }
  }
};

}  // namespace

std::unique_ptr<FamilyService> make_aiapigiare_media(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<MediaApi>(ctx, spec_dir);
}

}  // namespace tollgate::mock
