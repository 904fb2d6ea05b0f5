#pragma once
// --requests FILE.jsonl: one JSON line per request the run counts, for
// analysis after the run (vLLM's --save-detailed, AIPerf's records). Each
// worker formats its lines into a buffer of its own and hands whole
// buffers to the file (64 KiB at a time, under a lock): memory stays
// bounded whatever the run's length, and lines never interleave. A line
// holds the request's times in microseconds from its run's start
// (intended, sent, first byte, first token, end), latency_us exactly as
// the run's histogram counts it, status, error kind, bytes, output tokens
// and the target's x-request-id; a run's first line names its start.
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace tollgate::http {

class RequestLog {
 public:
  /// Creates (truncates) `path`; nullptr with `error` set when it cannot.
  static std::unique_ptr<RequestLog> open(const std::string& path, std::string& error);
  ~RequestLog();

  /// Whole lines, from any thread.
  void write(std::string_view lines);
  /// The start of a run (a search's step is a run of its own): its number,
  /// the Unix time its times count from, and `label` (a series' step).
  int begin_run(std::int64_t start_unix_ms, const std::string& label);
  /// Flushes and closes; false with `error` when a write failed.
  bool close(std::string& error);
  std::int64_t lines() const { return lines_; }  ///< request lines written (run heads not counted)
  const std::string& label() const { return label_; }
  int run() const { return run_; }

 private:
  RequestLog(std::FILE* f, std::string path) : file_(f), path_(std::move(path)) {}
  std::mutex mutex_;
  std::FILE* file_;
  std::string path_;
  bool failed_ = false;
  std::int64_t lines_ = 0;
  int run_ = -1;
  std::string label_;
};

}  // namespace tollgate::http
