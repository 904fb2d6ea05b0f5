#include "mock-server/families/media_tasks.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"
#include "mock-server/content/images.h"
#include "mock-server/families/mock_context.h"

namespace tollgate::mock {

std::int64_t task_duration_ms(const ModelSpec& model, bool realistic, std::string_view task_id) {
  const int* range = realistic ? model.image.task_ms_realistic : model.image.task_ms_fast;
  const std::int64_t span = range[1] - range[0];
  return range[0] + (span > 0 ? static_cast<std::int64_t>(seed_of(task_id) % static_cast<std::uint64_t>(span + 1)) : 0);
}

void schedule(Task& task, std::int64_t now_ms, std::int64_t duration_ms) {
  task.created_ms = now_ms;
  task.start_ms = now_ms + duration_ms / 4;
  task.finish_ms = now_ms + duration_ms;
}

int progress(const Task& t, std::int64_t now_ms) {
  if (t.finished()) return 100;
  if (t.state == TaskState::kQueued || now_ms <= t.start_ms) return 0;
  return static_cast<int>(std::min<std::int64_t>(
      99, (now_ms - t.start_ms) * 100 / std::max<std::int64_t>(1, t.finish_ms - t.start_ms)));
}

nlohmann::json result_urls(const Task& t) {
  nlohmann::json urls = nlohmann::json::array();
  for (std::size_t i = 0; i < t.images.size(); ++i) urls.push_back(t.base_url + t.result_path(i));
  return urls;
}

std::string moderation_hit(std::string_view prompt, const std::vector<std::string>& words) {
  const std::string text = ascii_lower(prompt);
  for (const auto& w : words)
    if (!w.empty() && text.find(ascii_lower(w)) != std::string::npos) return w;
  return "";
}

std::string image_url_problem(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://")) rest = url.substr(8);
  else if (url.starts_with("http://")) rest = url.substr(7);
  else return "not an http(s) URL";
  const auto slash = rest.find_first_of("/?#");
  std::string host = ascii_lower(rest.substr(0, slash));
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (host.starts_with('[')) host = host.substr(0, host.find(']') + 1);
  else if (auto colon = host.rfind(':'); colon != std::string::npos) host = host.substr(0, colon);
  if (host.empty()) return "no host";
  if (host.ends_with(".invalid") || host == "invalid") return "host " + host + " cannot resolve";
  std::string path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  path = path.substr(0, path.find_first_of("?#"));
  path = ascii_lower(path);
  for (const char* ext : {".jpg", ".jpeg", ".png", ".webp"})
    if (path.ends_with(ext)) return "";
  return "not a JPG, PNG or WebP file";
}

std::string base_url_of(const net::HttpRequest& request) {
  std::string host(request.header("Host"));
  const bool sane = !host.empty() && host.size() < 256 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '-' || c == '[' || c == ']';
  });
  return "http://" + (sane ? host : std::string("127.0.0.1"));
}

void route_task(Task& task, const MockContext& ctx, const ModelSpec& model, const std::set<std::string>& failing,
                bool failover) {
  task.attempts.clear();
  task.source.clear();
  for (const auto& source : model.upstreams) {
    TaskAttempt a;
    a.source = source;
    if (failing.count(source)) a.error = "upstream error injected by X-Tollgate-Fault";
    else if (!ctx.provider_healthy(source)) a.error = "source unavailable (outage)";
    a.ok = a.error.empty();
    task.attempts.push_back(a);
    if (a.ok) {
      task.source = source;
      return;
    }
    if (!failover) return;
  }
}

}  // namespace tollgate::mock
