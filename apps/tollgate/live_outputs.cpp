#include "apps/tollgate/live_outputs.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "apps/tollgate/exit_codes.h"
#include "net/listen_address.h"

namespace tollgate::cli {

LiveOutputs::LiveOutputs(const scenario::Plan& plan, const RunFlags& flags, std::string& error, int& exit_code) {
  if (!flags.out_dir.empty()) {
    std::vector<std::string> tags;
    for (const auto& s : plan.scenarios)
      for (const auto& st : s.steps) tags.push_back(reports::IntervalLog::tag_of(s.name, st.name));
    try {
      hlog_ = std::make_unique<reports::IntervalLog>(flags.out_dir, system_clock().now_ms(), tags);
    } catch (const std::exception& e) {
      error = std::string("--out: ") + e.what();
      exit_code = kCannotRun;
      return;
    }
  }
  if (!flags.metrics_listen.empty()) start_metrics(plan, flags.metrics_listen, error, exit_code);
}

bool LiveOutputs::start_metrics(const scenario::Plan& plan, const std::string& listen, std::string& error,
                                int& exit_code) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& s : plan.scenarios)
    for (const auto& st : s.steps) names.emplace_back(s.name, st.name);
  live_ = std::make_unique<reports::LiveMetrics>(names);
  net::ServerOptions o;
  if (const auto bad = net::parse_listen_address(listen, o.host, o.port); !bad.empty()) {
    error = "--metrics-listen " + listen + ": " + bad;
    exit_code = kBadInput;
    return false;
  }
  o.threads = 1;
  metrics_server_ = std::make_unique<net::HttpServer>(o, [this](const net::HttpRequest& req) {
    if (req.path != "/metrics") return net::HttpResponse::text(404, "try /metrics\n");
    return net::HttpResponse::text(200, live_->text(), "text/plain; version=0.0.4; charset=utf-8");
  });
  try {
    const auto port = metrics_server_->start();
    const bool v6 = o.host.find(':') != std::string::npos;
    std::cout << "metrics: http://" << (v6 ? "[" + o.host + "]" : o.host) << ":" << port << "/metrics" << std::endl;
  } catch (const std::exception& e) {
    error = "--metrics-listen " + listen + ": " + e.what();
    exit_code = kCannotRun;
    return false;
  }
  return true;
}

http::RunOptions LiveOutputs::options(const RunFlags& flags) {
  http::RunOptions options;
  options.threads = flags.threads;
  if (isatty(STDERR_FILENO) && !flags.quiet)
    options.on_progress = [](const http::Progress& p) {
      std::fprintf(stderr, "\r[%6.1fs/%.0fs] %9.1f req/s  in flight %5lld  p50 %8.2fms  p99 %8.2fms  errors %lld   ",
                   p.elapsed_s, p.planned_s, p.rps, static_cast<long long>(p.in_flight), p.p50_ms, p.p99_ms,
                   static_cast<long long>(p.errors));
      std::fflush(stderr);
    };
  if (hlog_ || live_)
    options.on_interval = [this](const http::IntervalHistograms& ih) {
      if (hlog_) hlog_->write(ih.run_start_unix_ms, ih.start_s, ih.end_s, ih.steps);
      if (live_)
        live_->add({ih.steps, ih.ttft, ih.itl, &ih.requests, ih.error_kinds, ih.checks_passed, ih.checks_failed,
                    ih.in_flight, ih.end_s});
    };
  return options;
}

void LiveOutputs::finish() {
  if (hlog_) hlog_->finish();
}

}  // namespace tollgate::cli
