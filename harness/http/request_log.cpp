#include "harness/http/request_log.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

namespace tollgate::http {

std::unique_ptr<RequestLog> RequestLog::open(const std::string& path, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = "--requests " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<RequestLog>(new RequestLog(f, path));
}

RequestLog::~RequestLog() {
  if (file_) std::fclose(file_);
}

void RequestLog::write(std::string_view lines) {
  std::lock_guard lock(mutex_);
  if (!file_ || lines.empty()) return;
  if (std::fwrite(lines.data(), 1, lines.size(), file_) != lines.size()) failed_ = true;
  lines_ += std::count(lines.begin(), lines.end(), '\n');
}

int RequestLog::begin_run(std::int64_t start_unix_ms, const std::string& label) {
  std::lock_guard lock(mutex_);
  ++run_;
  label_ = label;
  nlohmann::json head = {{"format", "tollgate-requests"}, {"version", 1}, {"run", run_}, {"start_unix_ms", start_unix_ms}};
  if (!label.empty()) head["series_step"] = label;
  const std::string line = head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (file_ && std::fwrite(line.data(), 1, line.size(), file_) != line.size()) failed_ = true;
  return run_;
}

bool RequestLog::close(std::string& error) {
  std::lock_guard lock(mutex_);
  if (!file_) return !failed_;
  if (std::fclose(file_) != 0) failed_ = true;
  file_ = nullptr;
  if (failed_) error = "--requests " + path_ + ": a write failed (disk full?): the file is incomplete";
  return !failed_;
}

}  // namespace tollgate::http
