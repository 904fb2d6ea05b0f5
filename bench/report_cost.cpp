// Benchmark: what writing the reports of a long run costs. Builds the
// result of an N-second run with S steps (full histograms, streaming
// figures, a point per second) and times summary.json, junit.xml,
// metrics.prom and report.html, and the interval log (S lines a second).
//   report_cost [SECONDS=3600] [STEPS=5] [DIR=/tmp]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "reports/hlog.h"
#include "reports/writers.h"

int main(int argc, char** argv) {
  using namespace tollgate;
  const int seconds = argc > 1 ? std::stoi(argv[1]) : 3600;
  const int steps = argc > 2 ? std::stoi(argv[2]) : 5;
  const std::string dir = (std::filesystem::path(argc > 3 ? argv[3] : "/tmp") / "tollgate-report-cost").string();
  std::filesystem::create_directories(dir);

  metrics::RunResult run;
  run.start_unix_ms = 1'767'225'600'000;
  run.end_unix_ms = run.start_unix_ms + seconds * 1000LL;
  run.duration_s = seconds;
  metrics::ScenarioResult s;
  s.name = "load";
  s.executor = "constant-arrival-rate";
  s.target_rps = 1000;
  s.duration_s = seconds;
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> lat(std::log(20'000), 1.0);
  std::vector<metrics::Histogram> interval(static_cast<std::size_t>(steps));
  for (int k = 0; k < steps; ++k) {
    metrics::StepResult st;
    st.name = "step " + std::to_string(k);
    st.method = "POST";
    st.path = "/v1/chat/completions";
    for (int i = 0; i < 200'000; ++i) {
      const auto v = static_cast<std::int64_t>(lat(rng));
      st.metrics.latency_us.record(v, 18);  // ~3.6 M values per step
      st.metrics.service_time_us.record(v * 9 / 10, 18);
      st.metrics.stream.get().ttft_us.record(v / 5, 18);
      st.metrics.stream.get().itl_us.record(v / 100 + 1, 18);
      if (i < 1000) interval[static_cast<std::size_t>(k)].record(v);  // one second at 1,000/s
    }
    st.metrics.requests = 3'600'000;
    st.metrics.status[200] = 3'600'000;
    s.steps.push_back(std::move(st));
  }
  run.scenarios.push_back(std::move(s));
  for (int t = 1; t <= seconds; ++t) {
    metrics::SeriesPoint p;
    p.t_s = t;
    p.length_s = 1;
    p.in_flight = 20;
    for (int k = 0; k < steps; ++k) p.steps.push_back({1000, 1, 20.1, 35.2, 80.3, 120.4});
    run.series.push_back(std::move(p));
  }
  run.info.scenario_file = "bench.yaml";
  run.info.scenario_sha256 = "0";

  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  const auto written = reports::write_reports(run, dir);
  const double write_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::vector<std::string> tags;
  std::vector<const metrics::Histogram*> hs;
  for (int k = 0; k < steps; ++k) {
    tags.push_back("load/step_" + std::to_string(k));
    hs.push_back(&interval[static_cast<std::size_t>(k)]);
  }
  t0 = Clock::now();
  {
    reports::IntervalLog log(dir, run.start_unix_ms, tags);
    for (int t = 0; t < seconds; ++t) log.write(run.start_unix_ms, t, t + 1, hs);
    log.finish();
  }
  const double hlog_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::printf("%d s run, %d steps, %zu series points in memory (%.1f MB)\n", seconds, steps, run.series.size(),
              static_cast<double>(run.series.size() * (sizeof(metrics::SeriesPoint) + steps * sizeof(metrics::SeriesStep))) / 1e6);
  std::printf("summary.json + junit.xml + metrics.prom + report.html: %.0f ms\n", write_ms);
  for (const auto& w : written)
    std::printf("  %-14s %8.1f KB\n", std::filesystem::path(w).filename().c_str(),
                static_cast<double>(std::filesystem::file_size(w)) / 1024);
  std::printf("latency.hlog, %d lines written as the run goes: %.0f ms in all, %.3f ms per second of run (%.1f KB)\n",
              seconds * steps, hlog_ms, hlog_ms / seconds,
              static_cast<double>(std::filesystem::file_size(std::filesystem::path(dir) / "latency.hlog")) / 1024);
  std::filesystem::remove_all(dir);
  return 0;
}
