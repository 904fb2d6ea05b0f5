// tollgate: load-testing and conformance harness for AI-gateway APIs.
#include <iostream>

#include <CLI/CLI.hpp>

#include "apps/tollgate/completion.h"
#include "apps/tollgate/contract_commands.h"
#include "apps/tollgate/exit_codes.h"
#include "apps/tollgate/hit_command.h"
#include "apps/tollgate/probe_command.h"
#include "apps/tollgate/report_commands.h"
#include "apps/tollgate/run_command.h"

namespace tollgate::cli {
namespace {

// Every command's options, bound to the command line, and the exit code
// the command that ran set.
struct Commands {
  int code = kOk;
  RunFlags flags;
  std::vector<std::string> lint_files, coverage_files, merge_paths;
  std::string diff_old, diff_new, diff_format = "text";
  std::string ops_file, scenario_file, coverage_spec, report_path, report_out, merge_out, tolerance = "10%";
  HitFlags hit_flags;
  ProbeFlags probe_flags;
  CompareFlags compare_flags;

  void add_contract(CLI::App& app) {
    auto* contract = app.add_subcommand("contract", "inspect OpenAPI contracts");
    contract->require_subcommand(1);
    auto* lint = contract->add_subcommand("lint", "load a contract, check its references, schemas and examples");
    lint->add_option("FILE", lint_files, "OpenAPI 3.0 document(s), YAML or JSON")->required()->check(CLI::ExistingFile);
    lint->callback([this] { code = contract_lint(lint_files, std::cout, std::cerr); });
    auto* ops = contract->add_subcommand("ops", "list a contract's operations");
    ops->add_option("FILE", ops_file, "OpenAPI 3.0 document, YAML or JSON")->required()->check(CLI::ExistingFile);
    ops->callback([this] { code = contract_ops(ops_file, std::cout, std::cerr); });
    auto* diff = contract->add_subcommand("diff", "the changes between two versions of a contract; exit 1 on a breaking one");
    diff->add_option("OLD", diff_old, "the earlier version (OpenAPI 3.0, YAML or JSON)")->required()->check(CLI::ExistingFile);
    diff->add_option("NEW", diff_new, "the later version")->required()->check(CLI::ExistingFile);
    diff->add_option("--format", diff_format, "text, markdown or json")
        ->check(CLI::IsMember({"text", "markdown", "json"}))
        ->capture_default_str();
    diff->callback([this] { code = contract_diff(diff_old, diff_new, diff_format, std::cout, std::cerr); });
  }

  // The options every command that reads a scenario takes; `load`: one that sends load.
  void add_run_flags(CLI::App* cmd, bool load) {
    cmd->add_option("--env,-e", flags.env, "NAME=VALUE for ${NAME} in the scenario (repeatable)");
    if (!load) return;
    cmd->add_option("--threads", flags.threads, "worker threads (default: one per core)");
    cmd->add_option("--out", flags.out_dir,
                    "write summary.json, junit.xml, metrics.prom, report.html and latency.hlog into this directory");
    cmd->add_option("--requests", flags.requests_file,
                    "write one JSON line per request to this file (times, status, error, bytes, tokens), as the run goes");
    cmd->add_option("--metrics-listen", flags.metrics_listen,
                    "serve the live metrics for Prometheus at http://HOST:PORT/metrics while the run goes (port 0: any)");
    cmd->add_option("--segment", flags.segment,
                    "run segment I of N (0 <= I < N) of the run: arrivals, VUs and iterations striped, so the N "
                    "segments together are the single run; merge their summaries with `tollgate merge` (default: "
                    "$TOLLGATE_SEGMENT)");
    cmd->add_option("--start-at", flags.start_at,
                    "start the run's clock at this instant (RFC 3339, e.g. 2026-12-03T18:30:00Z, or Unix ms), so "
                    "segments line up; after it: start at once and record how late");
    cmd->add_flag("--quiet,-q", flags.quiet, "no live progress line");
    cmd->add_option("--threshold", flags.thresholds, "an extra threshold, e.g. 'latency.p99 < 500ms' (repeatable)");
    cmd->add_flag("--allow-unsupported", flags.allow_unsupported,
                  "steps the target answers 501 Not Implemented are reported, not failed");
    cmd->add_option("--callback-listen", flags.callback_listen, "where the callback receiver listens (default 127.0.0.1:0)");
    cmd->add_option("--callback-url", flags.callback_url, "the {{callback_url}} given to targets (default: the receiver's)");
  }

  void add_scenario_commands(CLI::App& app) {
    auto* run = app.add_subcommand("run", "run a scenario file");
    run->add_option("FILE", scenario_file, "scenario (YAML)")->required()->check(CLI::ExistingFile);
    add_run_flags(run, true);
    run->add_option("--scenario", flags.only, "run only this scenario of the file (repeatable)");
    run->callback([this] { code = run_file(scenario_file, flags); });
    auto* cov = app.add_subcommand("coverage", "which operations and documented statuses scenarios exercise, without running");
    cov->add_option("SPEC", coverage_spec, "OpenAPI 3.0 document")->required()->check(CLI::ExistingFile);
    cov->add_option("SCENARIO", coverage_files, "scenario files (YAML)")->required()->check(CLI::ExistingFile);
    add_run_flags(cov, false);
    cov->callback([this] { code = coverage(coverage_spec, coverage_files, flags); });
    auto* validate = app.add_subcommand("validate", "check a scenario file without sending anything");
    validate->add_option("FILE", scenario_file, "scenario (YAML)")->required()->check(CLI::ExistingFile);
    add_run_flags(validate, false);
    validate->callback([this] { code = validate_file(scenario_file, flags); });
  }

  void add_hit(CLI::App& app) {
    auto* cmd = app.add_subcommand("hit", "load one URL without a scenario file (like hey or wrk2)");
    cmd->add_option("URL", hit_flags.url, "http(s)://host:port/path?query")->required();
    cmd->add_option("-X,--method", hit_flags.method, "HTTP method")->capture_default_str();
    auto* rate = cmd->add_option("--rate", hit_flags.rate, "open model: requests per second, e.g. 200/s");
    cmd->add_option("--vus", hit_flags.vus, "closed model: virtual users")->capture_default_str()->excludes(rate);
    cmd->add_option("--duration", hit_flags.duration, "how long, e.g. 30s")->capture_default_str();
    cmd->add_option("-H,--header", hit_flags.headers, "'Name: value' (repeatable)");
    cmd->add_option("-d,--data", hit_flags.data, "request body (JSON)");
    cmd->add_option("--connections,-c", hit_flags.connections, "connections at most");
    cmd->add_flag("--insecure,-k", hit_flags.insecure, "do not verify the TLS certificate");
    cmd->add_option("--timeout", hit_flags.timeout, "a whole request at most, e.g. 2s (default 60s; first byte 30s)");
    cmd->add_option("--connect-timeout", hit_flags.connect_timeout, "connecting at most, e.g. 1s (default 5s)");
    cmd->add_option("--max-body", hit_flags.max_body, "an answer's body at most, e.g. 1MiB (default 64MiB)")
        ->transform(CLI::AsSizeValue(false));
    cmd->add_option("--max-event", hit_flags.max_event, "an event-stream event at most, e.g. 64KiB (default 1MiB)")
        ->transform(CLI::AsSizeValue(false));
    add_run_flags(cmd, true);
    cmd->callback([this] { code = hit(hit_flags, flags); });
  }

  void add_probe(CLI::App& app) {
    auto* cmd = app.add_subcommand("probe", "send cases generated from a contract and check every answer against it");
    auto& p = probe_flags;
    cmd->add_option("SPEC", p.spec, "OpenAPI 3.0 document, YAML or JSON")->required()->check(CLI::ExistingFile);
    cmd->add_option("--target", p.target, "where the API is: http(s)://host:port/base")->required();
    cmd->add_option("-H,--header", p.headers, "'Name: value' sent with every case (repeatable; credentials masked)");
    cmd->add_option("--operation", p.operations, "only this operationId (repeatable)");
    cmd->add_option("--exclude-operation", p.exclude_operations, "not this operationId (repeatable)");
    cmd->add_option("--tag", p.tags, "only operations with this tag (repeatable)");
    cmd->add_option("--max-examples", p.max_examples, "generated positive cases per operation")->capture_default_str();
    cmd->add_option("--seed", p.seed, "the same seed gives the same cases")->capture_default_str();
    cmd->add_option("--workers", p.workers, "cases in flight at most")->capture_default_str();
    cmd->add_option("--rate", p.rate, "cases per second at most, e.g. 50/s (default: as fast as the workers go)");
    cmd->add_option("--max-time", p.max_time, "a response time bound per case, e.g. 2s");
    cmd->add_option("--poll-timeout", p.poll_timeout, "how long a chain reads a task until it is final")
        ->capture_default_str();
    cmd->add_flag("--no-destructive", p.no_destructive, "no DELETE, PUT or PATCH operation, no undocumented method but GET");
    cmd->add_option("--baseline", p.baseline, "the cases known to fail (one name per line): only others fail the probe")
        ->check(CLI::ExistingFile);
    cmd->add_option("--write-baseline", p.write_baseline, "write the names of the cases that failed to this file");
    cmd->add_flag("--no-shrink", p.no_shrink, "report a failing case as first sent, do not send smaller versions of it");
    cmd->add_flag("--dry-run", p.dry_run, "print the cases as curl commands, send nothing");
    cmd->add_flag("--show-secrets", p.show_secrets, "do not mask credentials in the curl commands");
    cmd->add_option("--threads", flags.threads, "worker threads (default: one per core)");
    cmd->add_option("--out", flags.out_dir, "write summary.json, junit.xml, metrics.prom, report.html and latency.hlog here");
    cmd->add_flag("--quiet,-q", flags.quiet, "no live progress line");
    cmd->callback([this] { code = probe(probe_flags, flags); });
  }

  void add_report_commands(CLI::App& app) {
    auto* report = app.add_subcommand("report", "write the reports again from a summary.json (or its directory)");
    report->add_option("PATH", report_path, "summary.json, or the --out directory holding it")->required();
    report->add_option("-o,--out", report_out, "write summary.json, junit.xml and metrics.prom here");
    report->callback([this] { code = report_command(report_path, report_out); });
    auto* merge = app.add_subcommand("merge", "merge runs that ran side by side (histograms merge without loss)");
    merge->add_option("RUN", merge_paths, "summary.json files or --out directories")->required()->expected(1, -1);
    merge->add_option("-o,--out", merge_out, "write the merged reports here")->required();
    merge->callback([this] { code = merge_command(merge_paths, merge_out); });
    auto* cmp = app.add_subcommand("compare", "compare two runs step by step; exit 1 on a regression");
    cmp->add_option("BASE", compare_flags.base, "the baseline summary.json or directory")->required();
    cmp->add_option("NEW", compare_flags.next, "the new summary.json or directory")->required();
    cmp->add_option("--tolerance", tolerance, "how much p99 may grow, e.g. 10%")->capture_default_str();
    cmp->add_option("--format", compare_flags.format, "text, markdown or json")
        ->check(CLI::IsMember({"text", "markdown", "json"}))
        ->capture_default_str();
    cmp->callback([this] { code = compare(); });
  }

  int compare() {
    std::string t = tolerance;
    if (!t.empty() && t.back() == '%') t.pop_back();
    try {
      std::size_t used = 0;
      compare_flags.tolerance = std::stod(t, &used) / 100;
      if (used != t.size() || compare_flags.tolerance < 0) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      std::cerr << "tollgate compare: --tolerance " << tolerance << ": expected a percentage like 10%\n";
      return kBadInput;
    }
    return compare_command(compare_flags);
  }
};

}  // namespace
}  // namespace tollgate::cli

int main(int argc, char** argv) {
  using namespace tollgate::cli;
  CLI::App app{"tollgate: load-testing and conformance harness for AI-gateway APIs"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] { std::cout << "tollgate " TOLLGATE_VERSION "\n"; });
  add_completion_command(app, "tollgate");
  Commands commands;
  for (int i = 0; i < argc; ++i) commands.flags.command_line += (i ? " " : "") + std::string(argv[i]);
  commands.add_contract(app);
  commands.add_scenario_commands(app);
  commands.add_hit(app);
  commands.add_probe(app);
  commands.add_report_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kOk : kBadInput;
  }
  return commands.code;
}
