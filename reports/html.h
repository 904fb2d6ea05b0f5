#pragma once
#include <string>

#include "reports/summary.h"

namespace tollgate::reports {

/// report.html: one self-contained file (Chart.js embedded at build time
/// from Debian's libjs-chart.js, no network) with the run overview and
/// verdict, latency and request rate over time, the percentile
/// distribution of each step on a log scale, status codes and error
/// kinds, a table per step, thresholds, streaming metrics with their
/// formulas, and contract coverage. After rendering, <body> carries
/// data-status="rendered", data-charts (how many) and data-errors (script
/// errors seen), for headless checks.
std::string html_report(const metrics::RunResult& run);

/// The embedded Chart.js (for the tests: it is not empty, it is the real one).
const char* embedded_chart_js();

}  // namespace tollgate::reports
