#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/source_error.h"
#include "contract/contract.h"
#include "harness/exec/schedule.h"

namespace tollgate::scenario {

using std::chrono::nanoseconds;

enum class Executor { kConstantArrivalRate, kRampingArrivalRate, kConstantVus, kRampingVus, kIterations };
const char* executor_name(Executor e);
inline bool is_open_model(Executor e) {
  return e == Executor::kConstantArrivalRate || e == Executor::kRampingArrivalRate;
}

/// Where requests go: "https://host:port/base".
struct TargetUrl {
  bool tls = false;
  std::string host;  ///< without brackets for IPv6
  std::string port;
  std::string base_path;  ///< "" or "/aiproxy", no trailing slash
  std::string to_string() const;
};
/// Parses an http(s) URL; nullopt with `error` set when it is not one.
std::optional<TargetUrl> parse_url(const std::string& text, std::string& error);

struct Timeouts {
  nanoseconds connect = std::chrono::seconds(5);
  nanoseconds tls = std::chrono::seconds(5);
  nanoseconds write = std::chrono::seconds(10);
  nanoseconds first_byte = std::chrono::seconds(30);
  nanoseconds total = std::chrono::seconds(60);
};

struct TlsOptions {
  std::string ca_file;       ///< extra trust anchors (PEM)
  bool insecure = false;     ///< skip certificate and host name verification
  std::string server_name;   ///< SNI and verified name; default: the target host
};

/// One request of a scenario.
struct Step {
  std::string name;
  std::string operation;  ///< the contract operationId, when named
  std::string method;
  std::string path;       ///< relative to the target's base path, path parameters filled in
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> query;
  std::optional<std::string> body;  ///< serialized JSON
  std::vector<int> expect_status;   ///< empty: any status below 400 passes
  SourceLocation where;
};

/// A stage of a ramping executor: reach `target` (requests/s or VUs) over `duration`.
struct Stage {
  nanoseconds duration;
  double target;
};

struct Scenario {
  std::string name;
  Executor executor = Executor::kConstantArrivalRate;
  double rate = 0;          ///< constant-arrival-rate, requests (iterations) per second
  double start_rate = 0;    ///< ramping-arrival-rate
  int vus = 0;              ///< constant-vus / iterations; ramping-vus: starting VUs
  std::vector<Stage> stages;
  bool poisson = false;
  nanoseconds duration{0};
  std::int64_t iterations = 0;   ///< iterations executor: the total; others: an optional cap
  nanoseconds think_time{0};
  int max_in_flight = 0;         ///< open model: iterations in flight at most
  int connections = 0;           ///< connections at most (all workers)
  nanoseconds graceful_stop = std::chrono::seconds(10);
  std::vector<Step> steps;
  SourceLocation where;

  /// The open model's arrival stages (constant: one flat stage).
  std::vector<exec::RateStage> rate_stages() const;
  /// How long the scenario runs (ramping: the sum of its stages).
  nanoseconds planned_duration() const;
  /// The target rate at offset `t` for open models, else 0.
  double target_rps() const;
};

/// A threshold: `[scope:] metric op value`, e.g. "chat: latency.p99 < 500ms".
struct Threshold {
  std::string text;
  std::string scope;   ///< "" (all), "scenario", or "scenario.step"
  std::string metric;  ///< latency.p99, errors.rate, rate.achieved, ...
  std::string op;      ///< <, <=, >, >=, ==
  double value = 0;    ///< durations in milliseconds, fractions as 0..1
  SourceLocation where;
};

struct Plan {
  std::string file;
  TargetUrl target;
  std::string spec_file;
  std::shared_ptr<const contract::Contract> contract;
  std::vector<std::pair<std::string, std::string>> headers;  ///< defaults for every step
  Timeouts timeouts;
  TlsOptions tls;
  std::size_t max_body = 64 * 1024 * 1024;
  std::vector<Scenario> scenarios;
  std::vector<Threshold> thresholds;
  std::string text_hash;  ///< of the scenario file, for reports
};

/// Environment for ${NAME} and ${NAME:-default}: the process environment
/// overlaid with --env NAME=VALUE pairs.
using Env = std::map<std::string, std::string>;
Env process_env(const std::vector<std::string>& overrides);

/// Loads a scenario file: YAML, env substitution, then every key, type,
/// duration, rate, executor field, URL, operation and threshold checked.
/// Throws SourceError "file:line:column: what was wrong, what was expected"
/// before any traffic.
Plan load_plan(const std::string& path, const Env& env);
Plan parse_plan(const std::string& text, const std::string& name, const Env& env,
                const std::string& base_dir = ".");

/// Parses one threshold expression; throws SourceError at `where`.
Threshold parse_threshold(const std::string& text, const SourceLocation& where);

}  // namespace tollgate::scenario
