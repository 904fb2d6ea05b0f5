#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

/// How long each part of a request may take. Every one is bounded by
/// `total`, which counts from when the request began (waiting for a free
/// connection included); `write` and `first_byte` count from when its
/// first byte was written.
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

/// A string with `{{name}}` placeholders, split once at load time.
struct Template {
  struct Part {
    bool var = false;
    std::string text;  ///< literal text, or the variable's name
  };
  std::vector<Part> parts;
  bool is_literal() const { return parts.empty() || (parts.size() == 1 && !parts[0].var); }
  /// The whole string is one placeholder: "{{task_id}}" (keeps JSON types in bodies).
  bool is_single_var() const { return parts.size() == 1 && parts[0].var; }
  std::string literal() const { return parts.empty() ? std::string() : parts[0].text; }
};

/// A header assertion: present (with any value), equal to, or matching a regex.
struct HeaderCheck {
  std::string name;  ///< as written
  enum class Kind { kPresent, kAbsent, kEquals, kMatches } kind = Kind::kPresent;
  std::string value;
};

/// A body assertion at a JSON Pointer.
struct BodyCheck {
  std::string pointer;
  enum class Kind { kEquals, kMatches, kType, kLength, kOneOf, kExists, kAbsent } kind = Kind::kEquals;
  nlohmann::json value;  ///< equals/one_of: the JSON; matches/type: the string
  std::int64_t min = 0, max = -1;  ///< length bounds (max -1: none)
};

/// What a step's response must satisfy. Each entry is one named check.
struct Expect {
  std::vector<int> status;  ///< empty: any status below 400
  std::vector<HeaderCheck> headers;
  std::vector<BodyCheck> body;
  std::optional<nanoseconds> max_time;
  bool contract = false;  ///< the response must be documented by the operation and match it
  /// Streaming checks of a text/event-stream answer (every event, chunk
  /// schema, finish_reason placement, usage when asked, the terminator).
  /// On by default for a step that asks `stream: true`.
  bool stream = false;
};

/// A variable taken from a response: a body JSON Pointer or a header.
struct Extract {
  std::string var;
  std::string pointer;  ///< set for body extracts
  std::string header;   ///< set for header extracts
};

/// Repeat a step until the body at `pointer` is one of `values`.
struct Poll {
  std::string pointer;
  std::vector<nlohmann::json> values;
  nanoseconds initial_delay{0};
  nanoseconds interval = std::chrono::seconds(1);
  nanoseconds timeout = std::chrono::seconds(60);
};

/// Wait, after the step's response, for a callback whose body at `pointer`
/// equals `value` (rendered after the step's extracts).
struct CallbackWait {
  std::string pointer;
  Template value;
  nanoseconds timeout = std::chrono::seconds(60);
  const contract::Callback* contract = nullptr;  ///< validates the callback body when known
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
  Expect expect;
  std::vector<Extract> extract;
  std::optional<Poll> poll;
  std::optional<CallbackWait> callback;
  /// Set when the path, query, headers or body use {{variables}}: the
  /// request is rendered per iteration instead of serialized once.
  bool templated = false;
  Template path_t;
  std::vector<std::pair<std::string, Template>> headers_t, query_t;
  std::optional<nlohmann::json> body_json;  ///< the body, with templates, when templated
  /// The body's templated strings, by JSON Pointer into the body, parsed once.
  std::vector<std::pair<std::string, Template>> body_templates;
  bool asks_stream = false;  ///< body has "stream": true
  bool asks_usage = false;   ///< body has stream_options.include_usage: true
  /// A conversation's turn: its answer's text (the first choice's
  /// message or streamed content) is kept for the next turn's messages.
  bool collects_answer = false;
  const contract::Operation* op = nullptr;  ///< the operation the step calls, when the contract has it
  SourceLocation where;
};

/// The variables every scenario has without declaring them (their values:
/// flow/builtins.h): {{uuid}} a fresh version 4 UUID, {{iteration}} the
/// scenario's iteration number (0-based, all workers), {{vu}} the virtual
/// user (open model: the worker), {{now_ms}} Unix milliseconds,
/// {{callback_url}} where the callback receiver listens.
inline constexpr std::array<std::string_view, 5> kBuiltinVariables = {"uuid", "iteration", "vu", "now_ms",
                                                                      "callback_url"};

/// Rows that feed variables, one row per iteration.
struct DataSource {
  std::string file;
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
  bool random = false;
};

/// A length in tokens drawn per iteration: fixed, or from a distribution
/// (uniform over [min, max]; normal or lognormal with the given mean and
/// standard deviation of the drawn value), rounded, always within [min, max].
struct LengthDist {
  enum class Kind { kFixed, kUniform, kNormal, kLognormal };
  Kind kind = Kind::kFixed;
  double mean = 0, stddev = 0;
  std::int64_t min = 1, max = 1;
};

/// One conversation of a dataset: the messages before its first user turn
/// (system or developer), and its user messages in order (the dataset's
/// own assistant answers are replaced by the target's).
struct Conversation {
  std::vector<nlohmann::json> prefix;
  std::vector<nlohmann::json> turns;  ///< {"role": "user", "content": ...}
};

/// An LLM workload (`workload:`): per iteration, {{prompt}} (a synthetic
/// prompt of exactly {{prompt_tokens}} tokens) and {{max_tokens}} drawn
/// from their lengths; with `conversations`, an iteration is one
/// conversation, its one step sent once a turn ({{messages}}: the
/// conversation so far, the target's answers in it; {{turn}}: 1, 2, ...)
/// and measured per turn (the step repeated as "<name> turn k").
struct Workload {
  std::optional<LengthDist> prompt_tokens, max_tokens;
  std::string file;  ///< the conversations' JSON Lines file ("": none)
  std::vector<Conversation> conversations;
  bool random = false;
  int turns = 1;  ///< the step's copies: the longest conversation's turns, at most `turns:`
  nanoseconds think_time{0};  ///< between a turn's answer and the next turn
};

/// A stage of a ramping executor: reach `target` (requests/s or VUs) over `duration`.
struct Stage {
  nanoseconds duration;
  double target;
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

/// Per-request limits: a request is good when it meets every one that is
/// set (time to first token, time per output token, end to end).
struct Goodput {
  std::optional<nanoseconds> ttft, tpot, e2e;
  bool any() const { return ttft || tpot || e2e; }
};

/// `executor: capacity-search` or `sweep`: the scenario run as a series
/// of steps, each the scenario at one rate (open model) or one number of
/// virtual users (closed model) for `step_duration`, each judged on its
/// own figures.
struct Series {
  enum class Kind { kSearch, kSweep } kind = Kind::kSearch;
  // capacity-search: grow from start_rate by `growth` while the SLO holds,
  // then bisect between the highest rate that held and the lowest that
  // did not, until they are within `precision` of each other.
  double start_rate = 0, max_rate = 0;
  double precision = 0.05;
  double growth = 2;
  int max_steps = 20;
  // sweep: each rate, or each number of VUs.
  std::vector<double> rates;
  std::vector<int> concurrencies;
  nanoseconds step_duration{0};
  std::vector<Threshold> slo;  ///< judged on each step's own figures
  /// A step the harness could not offer is invalid: achieved below this
  /// share of the offered rate, or more late sends than `max_late` of them
  /// (and more than 2: a step's first sends may wait for their connection).
  double min_achieved = 0.98;
  double max_late = 0.05;
};

struct Scenario {
  std::string name;
  Executor executor = Executor::kConstantArrivalRate;
  double rate = 0;          ///< constant-arrival-rate, requests (iterations) per second
  double start_rate = 0;    ///< ramping-arrival-rate
  int vus = 0;              ///< constant-vus / iterations; ramping-vus: starting VUs
  std::vector<Stage> stages;
  bool poisson = false;
  double burstiness = 0;  ///< arrivals: gamma, its coefficient of variation (0: not gamma)
  nanoseconds duration{0};
  std::int64_t iterations = 0;   ///< iterations executor: the total; others: an optional cap
  nanoseconds think_time{0};
  int max_in_flight = 0;         ///< open model: iterations in flight at most
  int connections = 0;           ///< connections at most (all workers)
  nanoseconds graceful_stop = std::chrono::seconds(10);
  std::vector<Step> steps;
  /// Built in code (tollgate probe): when not empty, the steps fall into
  /// groups, each starting at the step index given here (ascending, the
  /// first 0), and iteration k sends only group k % groups: each group a
  /// case (or a chain of them) of its own, run by whichever virtual user is
  /// free, judged alone, a failure ending only its own group.
  std::vector<std::size_t> iteration_groups;
  std::optional<DataSource> data;
  std::optional<Workload> workload;
  /// Set for capacity-search and sweep: `executor` is then what each step
  /// runs (constant-arrival-rate, or constant-vus for a sweep of VUs).
  std::optional<Series> series;
  Goodput goodput;
  /// The contract its steps are checked against: the scenario's own
  /// `spec`, else the plan's.
  std::shared_ptr<const contract::Contract> contract;
  std::string spec_file;
  SourceLocation where;

  /// The open model's arrival stages (constant: one flat stage).
  std::vector<exec::RateStage> rate_stages() const;
  /// How long the scenario runs (ramping: the sum of its stages).
  nanoseconds planned_duration() const;
  /// Open models: the planned average rate over the whole scenario
  /// (arrivals planned / planned duration); others: 0.
  double target_rps() const;
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
  std::size_t max_event = 1024 * 1024;  ///< an event-stream event at most
  std::vector<Scenario> scenarios;
  /// The scenarios run one after the other, each once the one before has
  /// ended (a probe: its chains must not race its single cases), instead
  /// of all at once.
  bool one_after_another = false;
  /// --segment I/N: this process runs segment I of N of every scenario
  /// (exec/segment.h); the N segments together are the single run.
  exec::Segment segment;
  std::vector<Threshold> thresholds;
  std::string text_hash;  ///< of the scenario file, for reports
  /// Callback receiver: where it listens and the URL targets are given
  /// ({{callback_url}}); used only when a step waits for a callback or
  /// uses {{callback_url}}.
  std::string callback_listen = "127.0.0.1:0";
  std::string callback_public_url;  ///< default: http://<listen address>/callback
  bool uses_callbacks = false;
};

/// A step built in code (tollgate hit, tests): its method, path (with any
/// query), headers and body taken literally, no {{variables}}.
Step literal_step(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers = {},
                  std::optional<std::string> body = std::nullopt);

/// Splits "{{name}}" placeholders; throws SourceError at `where` for an
/// unclosed one or a bad name.
Template parse_template(const std::string& text, const SourceLocation& where);

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
