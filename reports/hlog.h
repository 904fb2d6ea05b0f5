#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/metrics/histogram.h"

namespace tollgate::reports {

/// latency.hlog: an HdrHistogram interval log (log format 1.3), one line
/// per step and interval, tagged "scenario/step", written as the run goes
/// (so memory does not grow with the run) into a temporary file renamed
/// into place by finish(). Values are microseconds; the max column is in
/// milliseconds (HistogramLogProcessor -outputValueUnitRatio 1000).
class IntervalLog {
 public:
  /// Opens DIR/latency.hlog.tmp; throws naming the file when it cannot.
  IntervalLog(const std::string& dir, std::int64_t start_unix_ms, std::vector<std::string> tags);
  ~IntervalLog();
  IntervalLog(const IntervalLog&) = delete;
  IntervalLog& operator=(const IntervalLog&) = delete;

  /// One line per step with values; times are seconds after the run's start.
  void write(std::int64_t run_start_unix_ms, double start_s, double end_s,
             const std::vector<const metrics::Histogram*>& steps);
  /// Flushes, closes and renames to DIR/latency.hlog; returns its path.
  std::string finish();

  /// "chat/create call" -> "chat/create_call": tags hold no spaces or commas.
  static std::string tag_of(const std::string& scenario, const std::string& step);

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<std::string> tags_;
  std::int64_t start_unix_ms_;
};

}  // namespace tollgate::reports
