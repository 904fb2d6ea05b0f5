#pragma once
// What a run writes while it goes: the progress line, latency.hlog in the
// --out directory, and live metrics for Prometheus (--metrics-listen).
#include <memory>
#include <string>

#include "apps/tollgate/flags.h"
#include "harness/http/engine.h"
#include "net/http_server.h"
#include "reports/hlog.h"
#include "reports/writers.h"

namespace tollgate::cli {

class LiveOutputs {
 public:
  /// Opens the interval log and starts the metrics server as the flags
  /// ask; `error` says what could not be done (then the run does not start)
  /// and `exit_code` which code that means.
  LiveOutputs(const scenario::Plan& plan, const RunFlags& flags, std::string& error, int& exit_code);

  /// The engine's callbacks for all of them.
  http::RunOptions options(const RunFlags& flags);
  /// Renames latency.hlog into place (after the reports are written).
  void finish();

 private:
  bool start_metrics(const scenario::Plan& plan, const std::string& listen, std::string& error, int& exit_code);

  std::unique_ptr<reports::IntervalLog> hlog_;
  std::unique_ptr<reports::LiveMetrics> live_;
  std::unique_ptr<net::HttpServer> metrics_server_;
};

}  // namespace tollgate::cli
