#pragma once
#include <array>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "reports/summary.h"

namespace tollgate::reports {

/// junit.xml: one <testsuite> per scenario with one <testcase> per check
/// of each step (a failure carries the check's failure messages; a step
/// the target did not support is <skipped>), and a "thresholds" suite with
/// one test case per threshold. Valid against reports/junit.xsd (the
/// Jenkins/Ant JUnit schema CI systems read).
std::string junit_xml(const metrics::RunResult& run);

/// metrics.prom: the run's final metrics in the Prometheus text format
/// (counters per scenario and step, latency summaries in seconds, check
/// and threshold results).
std::string prometheus_text(const metrics::RunResult& run);

/// The metrics of a run in progress, for scraping (`--metrics-listen`):
/// fed once a second, rendered in the Prometheus text format on demand.
/// Thread-safe.
class LiveMetrics {
 public:
  /// The bucket bounds (seconds) of the live histograms: 1-2.5-5 steps from
  /// 100 µs to 100 s, then +Inf. The same in every process, so buckets of
  /// many add up (sum by (le)).
  static const std::vector<double>& bounds();

  /// One interval of the run, per step (as the engine hands it over).
  struct Interval {
    std::vector<const metrics::Histogram*> latency, ttft, itl;  ///< nullptr: none in it
    const std::vector<std::int64_t>* requests = nullptr;
    const std::vector<std::array<std::int64_t, static_cast<int>(metrics::ErrorKind::kCount)>>* error_kinds = nullptr;
    const std::vector<std::int64_t>* checks_passed = nullptr;
    const std::vector<std::int64_t>* checks_failed = nullptr;
    std::int64_t in_flight = 0;
    double elapsed_s = 0;
  };

  explicit LiveMetrics(std::vector<std::pair<std::string, std::string>> steps);  ///< (scenario, step)
  void add(const Interval& iv);
  /// The metrics so far in the Prometheus text format: counters of
  /// requests, errors by kind and checks; histograms of latency, TTFT and
  /// ITL (tollgate_*_seconds_bucket); in flight.
  std::string text() const;

 private:
  struct Step {
    metrics::Histogram latency, ttft, itl;
    std::int64_t requests = 0, checks_passed = 0, checks_failed = 0;
    std::array<std::int64_t, static_cast<int>(metrics::ErrorKind::kCount)> errors{};
  };
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> names_;
  std::vector<Step> steps_;
  std::int64_t in_flight_ = 0;
  double elapsed_s_ = 0;
};

/// The reports written, and those that could not be, each as "PATH: why".
struct ReportFiles {
  std::vector<std::string> written;
  std::vector<std::string> failed;
};

/// Writes summary.json, junit.xml, metrics.prom and report.html into `dir`
/// (created if missing), each atomically and each on its own: a file that
/// fails is named in `failed` and the others are still written. Never throws.
ReportFiles write_reports(const metrics::RunResult& run, const std::string& dir, bool with_summary = true);

}  // namespace tollgate::reports
