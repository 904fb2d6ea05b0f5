#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "mock-server/faults/faults.h"
#include "mock-server/model/fixture.h"
#include "mock-server/store/capacity_gate.h"
#include "mock-server/store/store.h"

namespace tollgate::mock {

enum class LatencyMode { kFast, kRealistic };

/// Everything the families share: the store, the model catalog, provider
/// health and the latency profile in force.
class MockContext {
 public:
  MockContext(const Fixture& fixture, const Clock& clock, LatencyMode latency, std::size_t max_logs = 200'000,
              std::size_t max_tasks = 200'000, StateDb* db = nullptr, bool from_db = false);

  Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  const std::vector<ModelSpec>& models() const { return models_; }

  /// The model `id` if `family` offers it, else nullptr.
  const ModelSpec* model(std::string_view id, std::string_view family) const;
  bool provider_healthy(const std::string& provider) const;
  void set_provider_healthy(const std::string& provider, bool healthy);

  /// The first healthy upstream for `model`, starting with `preferred` when
  /// it can serve it; "" when every capable upstream is down.
  std::string pick_provider(const ModelSpec& model, std::string_view preferred) const;

  bool realistic() const { return latency_ == LatencyMode::kRealistic; }
  FaultProfile& faults() { return faults_; }
  const std::vector<std::string>& moderation_words() const { return moderation_words_; }
  /// Why the mock will not call `url` back, or "" when it may.
  std::string callback_problem(std::string_view url) const;
  void set_callback_allow(std::vector<std::string> hosts) { callback_allow_ = std::move(hosts); }
  /// Whether request-body fields the contract does not list are refused.
  bool strict_params() const { return strict_params_; }
  void set_strict_params(bool on) { strict_params_ = on; }

  const LatencyProfile& latency(const ModelSpec& model) const {
    return latency_ == LatencyMode::kRealistic ? model.realistic : model.fast;
  }
  /// How long a non-streamed answer of `tokens` tokens takes: TTFT plus
  /// the inter-token delay per token.
  std::chrono::microseconds answer_delay(const ModelSpec& model, std::int64_t tokens) const {
    return answer_delay(latency(model), tokens);
  }
  static std::chrono::microseconds answer_delay(const LatencyProfile& l, std::int64_t tokens) {
    return std::chrono::microseconds(static_cast<std::int64_t>((l.ttft_ms + l.itl_ms * static_cast<double>(tokens)) * 1000));
  }

  /// Takes a place in `model`'s capacity (its `capacity` in the fixture)
  /// for an answer of `tokens` tokens, at the real time now: admitted with
  /// the wait in the model's queue, or refused. A model without a capacity
  /// admits everything at once.
  Admission admit(const ModelSpec& model, std::int64_t tokens);
  /// Per model with a capacity: in flight, queued, and admitted, queued
  /// and refused since the start (GET /_mock/counters).
  nlohmann::json capacity_load();

 private:
  const Clock& clock_;
  Store store_;
  std::vector<ModelSpec> models_;
  LatencyMode latency_;
  mutable std::mutex health_mutex_;
  std::map<std::string, bool> healthy_;
  std::vector<std::string> moderation_words_;
  std::vector<std::string> callback_allow_;  ///< hosts allowed besides loopback
  bool strict_params_ = false;
  FaultProfile faults_;
  std::map<std::string, std::unique_ptr<CapacityGate>> gates_;  ///< by model id, models with a capacity
};

/// A fresh identifier with a prefix: "chatcmpl-5f3a...".
std::string new_id(std::string_view prefix);

}  // namespace tollgate::mock
