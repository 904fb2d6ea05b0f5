#include "mock-server/families/media_tasks.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"
#include "mock-server/core/mock_context.h"

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

void size_for_ratio(std::string_view ratio, int short_side, int max_side, int& width, int& height) {
  int w = 1, h = 1;
  const auto colon = ratio.find(':');
  if (colon != std::string_view::npos) {
    std::from_chars(ratio.data(), ratio.data() + colon, w);
    std::from_chars(ratio.data() + colon + 1, ratio.data() + ratio.size(), h);
  }
  if (w <= 0 || h <= 0) w = h = 1;
  // The short side at `short_side`, unless the long one would pass max_side.
  const double scale = std::min(static_cast<double>(short_side) / std::min(w, h),
                                static_cast<double>(max_side) / std::max(w, h));
  width = std::max(1, static_cast<int>(w * scale));
  height = std::max(1, static_cast<int>(h * scale));
}

}  // namespace tollgate::mock
