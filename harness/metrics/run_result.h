#pragma once
// What a run measured and what was decided about it: the one input of every
// report writer (reports/ reads nothing else).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/metrics/step_metrics.h"

namespace tollgate::metrics {

struct StepResult {
  std::string name;
  std::string operation;
  std::string method;
  std::string path;
  StepMetrics metrics;
};

struct ScenarioResult {
  std::string name;
  std::string executor;    ///< "constant-arrival-rate", ...
  double target_rps = 0;   ///< open model: the planned average rate
  double duration_s = 0;   ///< how long it sent
  std::int64_t iterations = 0;
  std::vector<StepResult> steps;
  StepMetrics total() const;
};

/// One step's figures over one interval of the time series.
struct SeriesStep {
  std::int64_t requests = 0, errors = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;  ///< latency from the intended time
  /// Of the streams that ended in the interval: TTFT and inter-token
  /// latency (-1: none ended).
  double ttft_p50_ms = -1, ttft_p99_ms = -1, itl_p50_ms = -1, itl_p99_ms = -1;
  /// The interval's histograms themselves (hdr_codec.h, compressed; empty:
  /// no values), so seconds of runs merged are merged exactly.
  std::string latency_hdr{}, ttft_hdr{}, itl_hdr{};
};

/// A step's figures of one interval from its histograms (µs): latency
/// percentiles (0 when none), TTFT and ITL (-1 when none ended; nullptr:
/// the step never streamed) and the histograms themselves, encoded.
SeriesStep series_step(std::int64_t requests, std::int64_t errors, const Histogram& latency, const Histogram* ttft,
                       const Histogram* itl);

/// One second of the run, as it happened.
struct SeriesPoint {
  double t_s = 0;                ///< end of the interval, seconds after the start
  double length_s = 0;           ///< how long the interval was
  std::int64_t in_flight = 0;    ///< requests in flight at its end
  std::vector<SeriesStep> steps; ///< every step of every scenario, in order
};

/// A threshold and its verdict.
struct ThresholdResult {
  enum class Unit { kCount, kMs, kFraction, kPerSecond };
  std::string expr;
  bool passed = false;
  double actual = 0;  ///< the metric's value, in the threshold's unit (ms, fraction, count); NaN: no data
  Unit unit = Unit::kCount;
};

/// The unit of a metric's values ("latency.p99": ms, "errors.rate": a
/// fraction, "rate.rps": per second, "requests": a count), and of the
/// metric of a threshold expression "[scope:] metric op value".
ThresholdResult::Unit unit_of_metric(const std::string& metric);
ThresholdResult::Unit unit_of_expression(const std::string& expr);

/// The actual value as a reader takes it, in the threshold's unit:
/// "0.961ms", "0.35%", "98.2/s", "12", or "no data".
std::string shown_actual(const ThresholdResult& t);

/// Which documented operations and statuses of a contract a run (or a
/// scenario file) exercised.
struct OperationCoverage {
  std::string id, method, path;
  std::vector<std::pair<std::string, bool>> statuses;  ///< documented status -> exercised
  bool exercised = false;
};

struct ContractCoverage {
  std::string spec_file;
  std::string title;
  std::vector<OperationCoverage> operations;
  int operations_hit = 0, statuses_hit = 0, statuses_total = 0;
  bool complete() const { return operations_hit == static_cast<int>(operations.size()) && statuses_hit == statuses_total; }
};

/// One step of a capacity search or sweep: the scenario at one offered
/// rate (or number of VUs), judged on its own figures (its scenario in
/// the run's scenarios, by index).
struct SearchStep {
  std::size_t scenario = 0;  ///< index in RunResult::scenarios
  double offered_rps = 0;    ///< open model: the rate asked for; closed: 0
  int vus = 0;               ///< closed model: the VUs; open: 0
  double achieved_rps = 0;
  bool valid = true;         ///< the harness offered what was asked (achieved and late within their bounds)
  std::string invalid_reason;
  bool passed = false;       ///< valid and every SLO threshold met
  std::vector<ThresholdResult> slo;
  double goodput_rps = -1;   ///< -1: no goodput limits
  double p99_ms = 0, ttft_p99_ms = -1;  ///< latency from the intended send; TTFT (-1: not streamed)
  /// "40/s", "12.5/s", "8 VUs": how the step is named.
  std::string label() const;
};

/// A capacity search or a sweep: its steps in the order run and, for a
/// search, the highest rate that met the SLO.
struct SearchResult {
  std::string kind;  ///< "capacity-search" or "sweep"
  std::string scenario;
  std::vector<std::string> slo;  ///< the thresholds each step was judged by
  double capacity_rps = 0;       ///< search: the highest rate that met the SLO (0: none)
  double failed_rps = 0;         ///< search: the lowest rate that did not (0: none)
  std::string conclusion;        ///< how the search ended, in words
  std::vector<SearchStep> steps;
};

/// What ran, for the reports; nothing in it is secret (the command line is
/// masked before it is stored).
struct RunInfo {
  std::string scenario_file;
  std::string scenario_sha256;
  std::string target;        ///< "http://host:port/base"
  std::string command_line;  ///< masked
  std::string tollgate_version;
  /// Steps the target answered 501 Not Implemented do not fail the run.
  bool allow_unsupported = false;
  /// junit.xml has one test case per operation and check, over all the
  /// steps calling the operation, instead of one per step and check (a
  /// probe: its steps are generated cases). Not kept in summary.json.
  bool junit_by_operation = false;
  /// --segment I/N: this run is segment I of N (count 1: the whole run).
  unsigned segment_index = 0, segment_count = 1;
};

/// What a run measured, merged over every worker, and its verdicts.
struct RunResult {
  RunInfo info;
  std::vector<ScenarioResult> scenarios;
  bool interrupted = false;
  double duration_s = 0;
  std::int64_t start_unix_ms = 0;
  std::int64_t end_unix_ms = 0;
  /// --start-at: the instant the run was to start (0: none asked), and how
  /// much later than it the run did start (it came after it).
  std::int64_t planned_start_unix_ms = 0;
  std::int64_t start_late_ms = 0;
  std::uint64_t connections_opened = 0;
  std::int64_t callbacks_received = 0;   ///< by the callback receiver, matched or not
  std::int64_t callbacks_unmatched = 0;  ///< received but claimed by no step
  std::vector<SeriesPoint> series;       ///< per second, every step
  /// The series' points keep their seconds' histograms (SeriesStep::*_hdr);
  /// false for one read from a summary.json written before they were kept.
  bool series_histograms = true;
  std::vector<ThresholdResult> thresholds;
  std::vector<ContractCoverage> coverage;
  std::optional<SearchResult> search;  ///< a capacity-search or sweep scenario's steps

  std::int64_t unsupported() const;
  std::int64_t checks_passed() const;
  std::int64_t checks_failed() const;
  std::int64_t requests() const;
  std::int64_t failed_requests() const;  ///< requests counted under an error kind
  std::int64_t answered() const;         ///< requests that got an HTTP status back
  /// Requests were made and not one was answered: never a pass.
  bool nothing_answered() const { return requests() > 0 && answered() == 0; }
  /// Not interrupted, something answered, every threshold passed, and no
  /// step unsupported (unless allowed).
  bool passed() const;
};

/// Appends a run made after `all` (the next of runs one after the
/// other): its scenarios after those of `all`, its time series after the
/// end of `all` with every point holding every step of both (zeros where
/// a step did not run), the counts added. Thresholds, coverage and the
/// search are left to the caller.
void append_run(RunResult& all, RunResult part);

}  // namespace tollgate::metrics
