#pragma once
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
  explicit LiveMetrics(std::vector<std::pair<std::string, std::string>> steps);  ///< (scenario, step)
  void add(const std::vector<const metrics::Histogram*>& latency, const std::vector<std::int64_t>& requests,
           const std::vector<std::int64_t>& errors, std::int64_t in_flight, double elapsed_s);
  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> steps_;
  std::vector<metrics::Histogram> latency_;
  std::vector<std::int64_t> requests_, errors_;
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
