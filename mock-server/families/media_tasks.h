#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock-server/model/fixture.h"
#include "mock-server/model/records.h"
#include "net/http_types.h"

namespace tollgate::mock {

class MockContext;

/// How long a task of `model` runs, deterministic per task id: a value in
/// the model's fast or realistic range. The first quarter is spent queued.
std::int64_t task_duration_ms(const ModelSpec& model, bool realistic, std::string_view task_id);

/// Plans `task`'s times from now: queued, processing, finished.
void schedule(Task& task, std::int64_t now_ms, std::int64_t duration_ms);

/// How far a task is, 0 to 100, by the clock.
int progress(const Task& task, std::int64_t now_ms);

/// A succeeded task's result links, one per image: the base URL it was
/// submitted to and /cdn/<id>/<n>.<ext>.
nlohmann::json result_urls(const Task& task);

/// The first moderation word `prompt` holds (case-insensitive), or "".
std::string moderation_hit(std::string_view prompt, const std::vector<std::string>& words);

/// Why the mock treats a reference image URL as unusable, or "" when it is
/// fine: not http(s), not .jpg/.jpeg/.png/.webp, or a host under .invalid.
/// The mock never fetches it.
std::string image_url_problem(std::string_view url);

/// "http://127.0.0.1:8080": where the request reached the mock, for links
/// to its CDN (from the Host header).
std::string base_url_of(const net::HttpRequest& request);

/// Auto-route: tries the model's sources in order, skipping ones that are
/// down (provider health, outage windows) or failed on purpose; records
/// every attempt and the source that served the task ("" when none could).
void route_task(Task& task, const MockContext& ctx, const ModelSpec& model, const std::set<std::string>& failing,
                bool failover);

}  // namespace tollgate::mock
