#pragma once
#include <chrono>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/http_types.h"

namespace tollgate::mock {

/// What to do wrong with one answer.
struct FaultAction {
  int status = 0;                        ///< answer this error status in the family's shape
  std::chrono::microseconds delay{0};    ///< extra latency before the answer
  bool reset = false;                    ///< TCP reset instead of an answer
  bool truncate = false;                 ///< half the body, then close
  int stream_cut = -1;                   ///< SSE: cut the connection after this many events, before [DONE]
  int stream_error = -1;                 ///< SSE: an error event after this many events, then the end
  std::chrono::milliseconds slow_headers{0};
  std::set<std::string> fail_sources;    ///< aiapigiare Media: sources that fail this task

  bool any() const {
    return status || delay.count() || reset || truncate || stream_cut >= 0 || stream_error >= 0 ||
           slow_headers.count() || !fail_sources.empty();
  }
  /// Applies everything but `status` and `fail_sources` to a response.
  void apply(net::HttpResponse& response) const;
};

/// Parses an X-Tollgate-Fault header: `;`-separated items
///   status=503  delay=250ms  reset  truncate  stream-cut=3
///   stream-error[=N]  slow-headers=2s  fail-sources=official,fal-ai
/// Durations take ms or s. Returns "" or what is wrong, naming the item.
std::string parse_fault_header(std::string_view header, FaultAction& out);

/// One rule of the fault profile: which answers it hits (family, route
/// prefix, model; empty matches all) and at what rate, and what it does.
struct FaultRule {
  std::string family, route, model;
  double rate = 1.0;
  int status = 0;
  enum class Latency { kNone, kFixed, kUniform, kLognormal } latency = Latency::kNone;
  double a = 0, b = 0;  ///< fixed: a ms; uniform: [a, b] ms; lognormal: median a ms, sigma b
  bool reset = false, truncate = false, stream_error = false;
  int stream_cut = -1;
  int slow_headers_ms = 0;
  std::string outage_source;  ///< an outage window of a source or provider
  double outage_from_s = 0, outage_for_s = -1;  ///< after the profile was loaded; -1 for ever
};

/// The fault profile in force: rules from the fixture's `faults:` or the
/// admin API, drawn per answer with a seeded generator (reproducible).
/// Thread-safe.
class FaultProfile {
 public:
  /// Replaces the rules; throws std::invalid_argument naming the bad rule.
  void load(const nlohmann::json& rules, std::int64_t now_ms);
  nlohmann::json rules() const;

  /// What the profile does to an answer of `family` at `route` for `model`.
  FaultAction pick(std::string_view family, std::string_view route, std::string_view model);
  /// Whether any rule filters on the model (then the caller finds it).
  bool wants_model() const;
  /// True while an outage window of `source` is open.
  bool outage(std::string_view source, std::int64_t now_ms) const;

 private:
  mutable std::mutex mutex_;
  std::atomic<bool> any_{false};  ///< rules loaded: without any, answers skip the lock
  std::vector<FaultRule> rules_;
  nlohmann::json source_ = nlohmann::json::array();
  std::int64_t loaded_ms_ = 0;
  std::mt19937_64 rng_{20261122};
};

/// A streamed body with faults: cut after `cut` events or an error event
/// after `error_after` events.
class FaultyStream final : public net::StreamSource {
 public:
  FaultyStream(std::shared_ptr<net::StreamSource> inner, int cut, int error_after)
      : inner_(std::move(inner)), cut_(cut), error_after_(error_after) {}
  bool next(net::StreamChunk& out) override;

 private:
  std::shared_ptr<net::StreamSource> inner_;
  int cut_, error_after_;
  int sent_ = 0;
  bool ended_ = false;
};

}  // namespace tollgate::mock
