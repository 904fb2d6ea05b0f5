#include "apps/tollgate/run_command.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/secrets.h"
#include "harness/check/coverage.h"
#include "harness/check/thresholds.h"
#include "apps/tollgate/exit_codes.h"
#include "harness/http/engine.h"
#include "harness/scenario/units.h"
#include "net/http_server.h"
#include "net/listen_address.h"
#include "reports/coverage.h"
#include "reports/hlog.h"
#include "reports/writers.h"
#include "reports/summary.h"

namespace tollgate::cli {
namespace {

std::atomic<int> g_stop{0};

// First Ctrl-C: stop gracefully and still report. Second: leave at once.
void on_signal(int) {
  if (g_stop.fetch_add(1) >= 1) _exit(130);
}

void add_thresholds(scenario::Plan& plan, const std::vector<std::string>& extra) {
  for (const auto& t : extra) {
    auto th = scenario::parse_threshold(t, {"--threshold", 0, 0});
    plan.thresholds.push_back(std::move(th));
  }
}

int execute(scenario::Plan& plan, const RunFlags& flags) {
  if (!flags.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(flags.out_dir, ec);
    if (ec) {
      std::cerr << "tollgate: --out " << flags.out_dir << ": " << ec.message() << "\n";
      return kBadInput;
    }
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const bool tty = isatty(STDERR_FILENO) && !flags.quiet;
  http::RunOptions options;
  options.threads = flags.threads;
  if (tty)
    options.on_progress = [](const http::Progress& p) {
      std::fprintf(stderr, "\r[%6.1fs/%.0fs] %9.1f req/s  in flight %5lld  p50 %8.2fms  p99 %8.2fms  errors %lld   ",
                   p.elapsed_s, p.planned_s, p.rps, static_cast<long long>(p.in_flight), p.p50_ms, p.p99_ms,
                   static_cast<long long>(p.errors));
      std::fflush(stderr);
    };
  // The interval log is written as the run goes.
  std::unique_ptr<reports::IntervalLog> hlog;
  if (!flags.out_dir.empty()) {
    std::vector<std::string> tags;
    for (const auto& s : plan.scenarios)
      for (const auto& st : s.steps) tags.push_back(reports::IntervalLog::tag_of(s.name, st.name));
    try {
      hlog = std::make_unique<reports::IntervalLog>(
          flags.out_dir,
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count(),
          tags);
    } catch (const std::exception& e) {
      std::cerr << "tollgate: --out: " << e.what() << "\n";
      return kCannotRun;
    }
  }
  // Live metrics for Prometheus, while the run goes.
  std::unique_ptr<reports::LiveMetrics> live;
  std::unique_ptr<net::HttpServer> metrics_server;
  if (!flags.metrics_listen.empty()) {
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& s : plan.scenarios)
      for (const auto& st : s.steps) names.emplace_back(s.name, st.name);
    live = std::make_unique<reports::LiveMetrics>(names);
    net::ServerOptions o;
    if (const auto error = net::parse_listen_address(flags.metrics_listen, o.host, o.port); !error.empty()) {
      std::cerr << "tollgate: --metrics-listen " << flags.metrics_listen << ": " << error << "\n";
      return kBadInput;
    }
    o.threads = 1;
    metrics_server = std::make_unique<net::HttpServer>(o, [&live](const net::HttpRequest& req) {
      if (req.path != "/metrics") return net::HttpResponse::text(404, "try /metrics\n");
      return net::HttpResponse::text(200, live->text(), "text/plain; version=0.0.4; charset=utf-8");
    });
    try {
      const auto port = metrics_server->start();
      const bool v6 = o.host.find(':') != std::string::npos;
      std::cout << "metrics: http://" << (v6 ? "[" + o.host + "]" : o.host) << ":" << port << "/metrics" << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "tollgate: --metrics-listen " << flags.metrics_listen << ": " << e.what() << "\n";
      return kCannotRun;
    }
  }
  if (hlog || live)
    options.on_interval = [&hlog, &live](const http::IntervalHistograms& ih) {
      if (hlog) hlog->write(ih.run_start_unix_ms, ih.start_s, ih.end_s, ih.steps);
      if (live) live->add(ih.steps, ih.requests, ih.errors, ih.in_flight, ih.end_s);
    };
  std::cout << "tollgate: " << plan.file << " -> " << plan.target.to_string() << ", " << plan.scenarios.size()
            << " scenario(s)" << std::endl;
  metrics::RunResult run;
  try {
    run = http::run_plan(plan, options, g_stop);
  } catch (const std::exception& e) {
    std::cerr << "tollgate: cannot run: " << e.what() << "\n";
    return kCannotRun;
  }
  if (tty) std::fprintf(stderr, "\n");

  run.info = {plan.file, plan.text_hash, plan.target.to_string(), mask_command_line(flags.command_line, plan.headers),
              TOLLGATE_VERSION, flags.allow_unsupported};
  run.thresholds = check::evaluate(plan.thresholds, run);
  run.coverage = check::coverage(plan, check::seen_in_run(plan, run));
  reports::write_summary_table(run, std::cout);
  if (!flags.out_dir.empty()) {
    try {
      const auto written = reports::write_reports(run, flags.out_dir);
      hlog->finish();
      std::cout << "summary: " << written.front() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "tollgate: --out " << flags.out_dir << ": " << e.what() << "\n";
      return kCannotRun;
    }
  }
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
  return run.passed() ? kOk : kFailed;
}

}  // namespace

int validate_file(const std::string& file, const RunFlags& flags) {
  try {
    scenario::Plan plan = scenario::load_plan(file, scenario::process_env(flags.env));
    add_thresholds(plan, flags.thresholds);
    std::size_t steps = 0;
    for (const auto& s : plan.scenarios) steps += s.steps.size();
    std::cout << file << ": ok (" << plan.scenarios.size() << " scenario(s), " << steps << " step(s), "
              << plan.thresholds.size() << " threshold(s), target " << plan.target.to_string() << ")\n";
    return kOk;
  } catch (const SourceError& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
}

// --scenario and the callback options, applied to a loaded plan.
void apply_flags(scenario::Plan& plan, const RunFlags& flags) {
  if (!flags.only.empty()) {
    for (const auto& name : flags.only)
      if (std::none_of(plan.scenarios.begin(), plan.scenarios.end(), [&](const auto& s) { return s.name == name; })) {
        std::string known;
        for (const auto& s : plan.scenarios) known += (known.empty() ? "" : ", ") + s.name;
        throw SourceError({"--scenario", 0, 0}, "no scenario '" + name + "' in " + plan.file + " (it has: " + known + ")");
      }
    std::erase_if(plan.scenarios, [&](const auto& s) {
      return std::find(flags.only.begin(), flags.only.end(), s.name) == flags.only.end();
    });
    // Thresholds scoped to a scenario that no longer runs are dropped.
    std::erase_if(plan.thresholds, [&](const auto& t) {
      const std::string scope = t.scope.substr(0, t.scope.find('.'));
      return !scope.empty() && std::find(flags.only.begin(), flags.only.end(), scope) == flags.only.end();
    });
  }
  if (!flags.callback_listen.empty()) plan.callback_listen = flags.callback_listen;
  if (!flags.callback_url.empty()) plan.callback_public_url = flags.callback_url;
}

int coverage(const std::string& spec, const std::vector<std::string>& files, const RunFlags& flags) {
  try {
    const auto env = scenario::process_env(flags.env);
    const auto contract = contract::Contract::load(spec);
    check::Seen seen;
    for (const auto& f : files) {
      const scenario::Plan plan = scenario::load_plan(f, env);
      for (auto& [file, ops] : check::seen_in_plan(plan, contract.get(), spec))
        for (auto& [op, st] : ops) seen[file][op].insert(st.begin(), st.end());
    }
    // Coverage of SPEC alone: a plan with one scenario that names it.
    scenario::Plan plan;
    scenario::Scenario s;
    s.spec_file = spec;
    s.contract = contract;
    plan.scenarios.push_back(std::move(s));
    const auto c = check::coverage(plan, seen);
    reports::write_coverage(c, std::cout, true);
    return c.front().complete() ? kOk : kFailed;
  } catch (const SourceError& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
}

int run_file(const std::string& file, const RunFlags& flags) {
  scenario::Plan plan;
  try {
    plan = scenario::load_plan(file, scenario::process_env(flags.env));
    add_thresholds(plan, flags.thresholds);
    apply_flags(plan, flags);
  } catch (const SourceError& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
  return execute(plan, flags);
}

int hit(const HitFlags& h, const RunFlags& flags) {
  scenario::Plan plan;
  try {
    const auto q = h.url.find_first_of("/", h.url.find("://") == std::string::npos ? 0 : h.url.find("://") + 3);
    const std::string base = q == std::string::npos ? h.url : h.url.substr(0, q);
    std::string path = q == std::string::npos ? "/" : h.url.substr(q);
    std::string error;
    auto target = scenario::parse_url(base, error);
    if (!target) throw SourceError({"URL", 0, 0}, error);
    plan.file = "hit " + h.url;
    plan.target = *target;
    plan.tls.insecure = h.insecure;
    scenario::Scenario s;
    s.name = "hit";
    const auto duration = scenario::parse_duration(h.duration);
    if (!duration) throw SourceError({"--duration", 0, 0}, "'" + h.duration + "' is not a duration (like 30s)");
    s.duration = *duration;
    if (!h.rate.empty()) {
      const auto rate = scenario::parse_rate(h.rate);
      if (!rate || *rate <= 0) throw SourceError({"--rate", 0, 0}, "'" + h.rate + "' is not a rate (like 200/s)");
      s.executor = scenario::Executor::kConstantArrivalRate;
      s.rate = *rate;
    } else {
      s.executor = scenario::Executor::kConstantVus;
      s.vus = h.vus;
    }
    s.connections = h.connections;
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& header : h.headers) {
      const auto colon = header.find(':');
      if (colon == std::string::npos) throw SourceError({"-H", 0, 0}, "'" + header + "' is not 'Name: value'");
      std::string value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers.emplace_back(header.substr(0, colon), value);
    }
    // The query goes as given.
    scenario::Step step = scenario::literal_step(h.method, path, std::move(headers),
                                                 h.data.empty() ? std::nullopt : std::optional<std::string>(h.data));
    s.steps.push_back(std::move(step));
    plan.scenarios.push_back(std::move(s));
    add_thresholds(plan, flags.thresholds);
  } catch (const SourceError& e) {
    std::cerr << "tollgate hit: " << e.what() << "\n";
    return kBadInput;
  }
  return execute(plan, flags);
}

}  // namespace tollgate::cli
