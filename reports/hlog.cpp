#include "reports/hlog.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "harness/metrics/hdr_codec.h"
#include "reports/summary.h"

namespace tollgate::reports {

std::string IntervalLog::tag_of(const std::string& scenario, const std::string& step) {
  std::string tag = scenario + "/" + step;
  for (char& c : tag)
    if (c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r') c = '_';
  return tag;
}

IntervalLog::IntervalLog(const std::string& dir, std::int64_t start_unix_ms, std::vector<std::string> tags)
    : path_((std::filesystem::path(dir) / "latency.hlog").string()), tags_(std::move(tags)), start_unix_ms_(start_unix_ms) {
  file_ = std::fopen((path_ + ".tmp").c_str(), "w");
  if (!file_) throw std::system_error(errno, std::generic_category(), path_ + ".tmp");
  std::fprintf(file_, "#[Histogram log format version 1.3]\n");
  std::fprintf(file_, "#[StartTime: %.3f (seconds since epoch), %s]\n", static_cast<double>(start_unix_ms) / 1000.0,
               rfc3339_ms(start_unix_ms).c_str());
  std::fprintf(file_, "#[Values in microseconds; tags are scenario/step]\n");
  std::fprintf(file_, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n");
}

IntervalLog::~IntervalLog() {
  if (file_) {
    std::fclose(file_);
    std::remove((path_ + ".tmp").c_str());
  }
}

void IntervalLog::write(std::int64_t run_start_unix_ms, double start_s, double end_s,
                        const std::vector<const metrics::Histogram*>& steps) {
  // Timestamps count from the log's StartTime.
  const double offset = static_cast<double>(run_start_unix_ms - start_unix_ms_) / 1000.0;
  for (std::size_t k = 0; k < steps.size() && k < tags_.size(); ++k) {
    const auto& h = *steps[k];
    if (h.total_count() == 0) continue;  // an interval without values is no line
    std::fprintf(file_, "Tag=%s,%.3f,%.3f,%.3f,%s\n", tags_[k].c_str(), std::max(0.0, offset + start_s), end_s - start_s,
                 static_cast<double>(h.max()) / 1000.0, encode_histogram(h).c_str());
  }
  std::fflush(file_);
}

std::string IntervalLog::finish() {
  const bool ok = std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
  std::fclose(file_);
  file_ = nullptr;
  if (!ok || std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0)
    throw std::system_error(errno, std::generic_category(), path_);
  return path_;
}

}  // namespace tollgate::reports
