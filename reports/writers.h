#pragma once
#include <string>

#include "reports/summary.h"

namespace tollgate::reports {

/// junit.xml: one <testsuite> per scenario with one <testcase> per check
/// of each step (a failure carries the check's failure messages; a step
/// the target did not support is <skipped>), and a "thresholds" suite with
/// one test case per threshold. Valid against reports/junit.xsd (the
/// Jenkins/Ant JUnit schema CI systems read).
std::string junit_xml(const Report& report);

/// metrics.prom: the run's final metrics in the Prometheus text format
/// (counters per scenario and step, latency summaries in seconds, check
/// and threshold results).
std::string prometheus_text(const Report& report);

/// Writes summary.json, junit.xml, metrics.prom and report.html into `dir` (created if
/// missing), each atomically; returns the paths written. Throws on I/O
/// errors naming the file.
std::vector<std::string> write_reports(const Report& report, const std::string& dir, bool with_summary = true);

}  // namespace tollgate::reports
