#include "apps/tollgate/execute.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "apps/tollgate/exit_codes.h"
#include "apps/tollgate/live_outputs.h"
#include "common/instant.h"
#include "common/secrets.h"
#include "harness/check/coverage.h"
#include "harness/check/thresholds.h"
#include "harness/search/series_run.h"
#include "reports/search.h"
#include "reports/summary.h"
#include "reports/writers.h"

namespace tollgate::cli {
namespace {

std::atomic<int> g_stop{0};

// First Ctrl-C: stop gracefully and still report. Second: leave at once.
void on_signal(int) {
  if (g_stop.fetch_add(1) >= 1) _exit(130);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// What was run, and what was decided about it.
void judge(metrics::RunResult& run, const scenario::Plan& plan, const RunFlags& flags) {
  run.info = {plan.file, plan.text_hash, plan.target.to_string(), mask_command_line(flags.command_line, plan.headers),
              TOLLGATE_VERSION, flags.allow_unsupported};
  run.info.segment_index = plan.segment.index;
  run.info.segment_count = plan.segment.count;
  run.thresholds = check::evaluate(plan.thresholds, run);
  run.coverage = check::coverage(plan, check::seen_in_run(plan, run));
}

int exit_code_of(const metrics::RunResult& run, const scenario::Plan& plan) {
  if (run.interrupted) return kInterrupted;
  // Nothing reached the target: the run could not proceed.
  std::int64_t requests = 0, unreachable = 0;
  for (const auto& s : run.scenarios)
    for (const auto& st : s.steps) {
      requests += st.metrics.requests;
      unreachable += st.metrics.errors[static_cast<int>(metrics::ErrorKind::kConnect)] +
                     st.metrics.errors[static_cast<int>(metrics::ErrorKind::kTls)];
    }
  if (requests > 0 && unreachable == requests) {
    std::cerr << "tollgate: no request reached " << plan.target.to_string() << "\n";
    return kCannotRun;
  }
  if (run.nothing_answered()) {
    std::cerr << "tollgate: " << plan.target.to_string() << " answered none of the " << requests << " requests\n";
    return kCannotRun;
  }
  // A segment's thresholds hold for the whole run, judged when the
  // segments are merged: its own figures are a part of it.
  if (!plan.segment.whole()) return kOk;
  return run.passed() ? kOk : kFailed;
}

// --segment (or TOLLGATE_SEGMENT) and --start-at, applied; false (with the
// message printed) when one is not valid.
bool apply_segment_flags(scenario::Plan& plan, const RunFlags& flags, http::RunOptions& options) {
  std::string text = flags.segment, error;
  const char* env = std::getenv("TOLLGATE_SEGMENT");
  const char* origin = "--segment";
  if (text.empty() && env && *env) {
    text = env;
    origin = "TOLLGATE_SEGMENT";
  }
  if (!text.empty()) {
    const auto seg = exec::parse_segment(text, &error);
    if (!seg) {
      std::cerr << "tollgate: " << origin << ": " << error << "\n";
      return false;
    }
    plan.segment = *seg;
    if (!seg->whole())
      for (const auto& s : plan.scenarios)
        if (s.series) {
          std::cerr << "tollgate: " << origin << " " << text << ": scenario '" << s.name << "' is a "
                    << (s.series->kind == scenario::Series::Kind::kSearch ? "capacity-search" : "sweep")
                    << ", which judges each step on the whole run's figures; a segment sees only its own. Run it "
                       "in one process.\n";
          return false;
        }
  }
  if (!flags.start_at.empty()) {
    const auto at = parse_instant_ms(flags.start_at, &error);
    if (!at) {
      std::cerr << "tollgate: --start-at " << error << "\n";
      return false;
    }
    options.start_at_unix_ms = *at;
  }
  return true;
}

}  // namespace

int execute(scenario::Plan& plan, const RunFlags& flags, const ExecuteHooks& hooks) {
  if (!flags.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(flags.out_dir, ec);
    if (ec) {
      std::cerr << "tollgate: --out " << flags.out_dir << ": " << ec.message() << "\n";
      return kBadInput;
    }
  }
  install_signal_handlers();
  std::string error;
  int code = kOk;
  LiveOutputs outputs(plan, flags, error, code);
  if (!error.empty()) {
    std::cerr << "tollgate: " << error << "\n";
    return code;
  }
  http::RunOptions options = outputs.options(flags);
  if (hooks.segmentable && !apply_segment_flags(plan, flags, options)) return kBadInput;
  std::unique_ptr<http::RequestLog> requests;
  if (!flags.requests_file.empty()) {
    requests = http::RequestLog::open(flags.requests_file, error);
    if (!requests) {
      std::cerr << "tollgate: " << error << "\n";
      return kBadInput;
    }
    options.requests = requests.get();
  }
  std::cout << "tollgate: " << plan.file << " -> " << plan.target.to_string() << ", " << plan.scenarios.size()
            << " scenario(s)";
  if (!plan.segment.whole()) std::cout << ", segment " << plan.segment.to_string();
  if (options.start_at_unix_ms) std::cout << ", starting at " << reports::rfc3339_ms(options.start_at_unix_ms);
  std::cout << std::endl;
  metrics::RunResult run;
  try {
    if (search::is_series(plan)) {
      const auto& sc = plan.scenarios[0];
      std::cout << "tollgate: " << (sc.series->kind == scenario::Series::Kind::kSearch ? "capacity-search" : "sweep")
                << " '" << sc.name << "', steps of " << std::chrono::duration<double>(sc.series->step_duration).count()
                << " s" << std::endl;
      run = search::run_series(plan, options, g_stop, [&](const metrics::SearchStep& step) {
        if (options.on_progress) std::fprintf(stderr, "\n");
        std::cout << "  step " << step.label() << ": " << reports::search_step_line(step) << std::endl;
      });
    } else {
      run = http::run_plan(plan, options, g_stop);
    }
  } catch (const std::exception& e) {
    std::cerr << "tollgate: cannot run: " << e.what() << "\n";
    return kCannotRun;
  }
  if (options.on_progress) std::fprintf(stderr, "\n");
  bool requests_lost = false;
  if (requests) {
    if (requests->close(error)) {
      std::cout << "requests: " << requests->lines() << " written to " << flags.requests_file << "\n";
    } else {
      std::cerr << "tollgate: " << error << "\n";
      requests_lost = true;
    }
  }
  judge(run, plan, flags);
  if (hooks.judge) hooks.judge(run);
  if (hooks.summary_table) reports::write_summary_table(run, std::cout);
  if (hooks.after) hooks.after(run, std::cout);
  if (!hooks.summary_table) reports::write_verdicts(run, std::cout);
  if (!plan.segment.whole())
    std::cout << "segment " << plan.segment.to_string()
              << ": its thresholds are judged on the merged run (tollgate merge); the verdicts above are of this "
                 "segment's figures alone\n";
  if (run.start_late_ms > 0)
    std::cout << "started " << run.start_late_ms << " ms after --start-at " << reports::rfc3339_ms(options.start_at_unix_ms)
              << "\n";
  if (!flags.out_dir.empty()) {
    const auto files = reports::write_reports(run, flags.out_dir);
    try {
      outputs.finish();
    } catch (const std::exception& e) {
      std::cerr << "tollgate: --out " << flags.out_dir << ": " << e.what() << "\n";
      return kCannotRun;
    }
    if (!files.written.empty()) std::cout << "summary: " << files.written.front() << "\n";
    if (report_failures(files)) return kCannotRun;
  }
  if (requests_lost) return kCannotRun;
  return exit_code_of(run, plan);
}

const std::atomic<int>& stop_requested() { return g_stop; }

bool report_failures(const reports::ReportFiles& files) {
  for (const auto& f : files.failed) std::cerr << "tollgate: report not written: " << f << "\n";
  if (!files.failed.empty() && !files.written.empty())
    std::cerr << "tollgate: the other " << files.written.size() << " report(s) were written\n";
  return !files.failed.empty();
}

}  // namespace tollgate::cli
