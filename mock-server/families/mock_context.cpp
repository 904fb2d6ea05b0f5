#include "mock-server/families/mock_context.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "mock-server/content/textgen.h"
#include "mock-server/callbacks/callbacks.h"

namespace tollgate::mock {

MockContext::MockContext(const Fixture& fixture, const Clock& clock, LatencyMode latency, std::size_t max_logs,
                         std::size_t max_tasks, StateDb* db, bool from_db)
    : clock_(clock), store_(fixture, clock, max_logs, max_tasks, db, from_db), models_(fixture.models), latency_(latency),
      healthy_(fixture.provider_healthy), moderation_words_(fixture.moderation_words) {
  faults_.load(fixture.faults, clock.now_ms());
  for (const auto& m : models_)
    if (m.capacity.concurrency > 0) gates_[m.id] = std::make_unique<CapacityGate>(m.capacity);
}

Admission MockContext::admit(const ModelSpec& model, std::int64_t tokens) {
  const auto it = gates_.find(model.id);
  if (it == gates_.end()) return {};
  return it->second->admit(std::chrono::steady_clock::now(), answer_delay(model, tokens));
}

nlohmann::json MockContext::capacity_load() {
  nlohmann::json out = nlohmann::json::object();
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, gate] : gates_) {
    const CapacityLoad l = gate->load(now);
    out[id] = {{"concurrency", gate->spec().concurrency}, {"queue", gate->spec().queue}, {"in_flight", l.in_flight},
               {"queued", l.queued}, {"admitted", l.admitted}, {"waited", l.queued_ever}, {"refused", l.refused}};
  }
  return out;
}

const ModelSpec* MockContext::model(std::string_view id, std::string_view family) const {
  for (const auto& m : models_)
    if (m.id == id && std::find(m.families.begin(), m.families.end(), family) != m.families.end()) return &m;
  return nullptr;
}

bool MockContext::provider_healthy(const std::string& provider) const {
  if (faults_.outage(provider, clock_.now_ms())) return false;
  std::lock_guard lock(health_mutex_);
  auto it = healthy_.find(provider);
  return it == healthy_.end() || it->second;
}

void MockContext::set_provider_healthy(const std::string& provider, bool healthy) {
  std::lock_guard lock(health_mutex_);
  healthy_[provider] = healthy;
}

std::string MockContext::pick_provider(const ModelSpec& model, std::string_view preferred) const {
  std::vector<std::string> order;
  if (!preferred.empty() &&
      std::find(model.upstreams.begin(), model.upstreams.end(), preferred) != model.upstreams.end())
    order.emplace_back(preferred);
  for (const auto& u : model.upstreams)
    if (u != preferred) order.push_back(u);
  for (const auto& u : order)
    if (provider_healthy(u)) return u;
  return "";
}

std::string new_id(std::string_view prefix) {
  static std::atomic<std::uint64_t> counter{0};
  const std::uint64_t n = counter.fetch_add(1);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(std::to_string(n), 0x7011ull) ^ n));
  return std::string(prefix) + buf;
}

std::string MockContext::callback_problem(std::string_view url) const {
  CallbackTarget target;
  std::string problem = parse_callback_url(url, target);
  if (problem.empty()) problem = callback_host_problem(target.host, callback_allow_);
  return problem;
}

}  // namespace tollgate::mock
