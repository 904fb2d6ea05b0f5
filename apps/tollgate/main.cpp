// tollgate: load-testing and conformance harness for AI-gateway APIs.
#include <iostream>

#include <CLI/CLI.hpp>

#include "apps/tollgate/contract_commands.h"
#include "apps/tollgate/exit_codes.h"
#include "apps/tollgate/report_commands.h"
#include "apps/tollgate/run_command.h"

int main(int argc, char** argv) {
  using namespace tollgate::cli;
  CLI::App app{"tollgate: load-testing and conformance harness for AI-gateway APIs"};
  app.require_subcommand(1);

  app.add_subcommand("version", "print the version")->callback([] { std::cout << "tollgate " TOLLGATE_VERSION "\n"; });

  auto* contract = app.add_subcommand("contract", "inspect OpenAPI contracts");
  contract->require_subcommand(1);
  int code = kOk;

  std::vector<std::string> lint_files;
  auto* lint = contract->add_subcommand("lint", "load a contract, check its references, schemas and examples");
  lint->add_option("FILE", lint_files, "OpenAPI 3.0 document(s), YAML or JSON")->required()->check(CLI::ExistingFile);
  lint->callback([&] { code = contract_lint(lint_files, std::cout, std::cerr); });

  std::string ops_file;
  auto* ops = contract->add_subcommand("ops", "list a contract's operations");
  ops->add_option("FILE", ops_file, "OpenAPI 3.0 document, YAML or JSON")->required()->check(CLI::ExistingFile);
  ops->callback([&] { code = contract_ops(ops_file, std::cout, std::cerr); });

  // Options shared by the commands that send load.
  RunFlags flags;
  for (int i = 0; i < argc; ++i) flags.command_line += (i ? " " : "") + std::string(argv[i]);
  auto add_run_flags = [&](CLI::App* cmd, bool load) {
    cmd->add_option("--env,-e", flags.env, "NAME=VALUE for ${NAME} in the scenario (repeatable)");
    if (!load) return;
    cmd->add_option("--threads", flags.threads, "worker threads (default: one per core)");
    cmd->add_option("--out", flags.out_dir,
                    "write summary.json, junit.xml, metrics.prom, report.html and latency.hlog into this directory");
    cmd->add_option("--metrics-listen", flags.metrics_listen,
                    "serve the live metrics for Prometheus at http://HOST:PORT/metrics while the run goes (port 0: any)");
    cmd->add_flag("--quiet,-q", flags.quiet, "no live progress line");
    cmd->add_option("--threshold", flags.thresholds, "an extra threshold, e.g. 'latency.p99 < 500ms' (repeatable)");
    cmd->add_flag("--allow-unsupported", flags.allow_unsupported,
                  "steps the target answers 501 Not Implemented are reported, not failed");
    cmd->add_option("--callback-listen", flags.callback_listen, "where the callback receiver listens (default 127.0.0.1:0)");
    cmd->add_option("--callback-url", flags.callback_url, "the {{callback_url}} given to targets (default: the receiver's)");
  };

  std::string scenario_file;
  auto* run = app.add_subcommand("run", "run a scenario file");
  run->add_option("FILE", scenario_file, "scenario (YAML)")->required()->check(CLI::ExistingFile);
  add_run_flags(run, true);
  run->add_option("--scenario", flags.only, "run only this scenario of the file (repeatable)");
  run->callback([&] { code = run_file(scenario_file, flags); });

  std::string coverage_spec;
  std::vector<std::string> coverage_files;
  auto* cov = app.add_subcommand("coverage", "which operations and documented statuses scenarios exercise, without running");
  cov->add_option("SPEC", coverage_spec, "OpenAPI 3.0 document")->required()->check(CLI::ExistingFile);
  cov->add_option("SCENARIO", coverage_files, "scenario files (YAML)")->required()->check(CLI::ExistingFile);
  add_run_flags(cov, false);
  cov->callback([&] { code = coverage(coverage_spec, coverage_files, flags); });

  auto* validate = app.add_subcommand("validate", "check a scenario file without sending anything");
  validate->add_option("FILE", scenario_file, "scenario (YAML)")->required()->check(CLI::ExistingFile);
  add_run_flags(validate, false);
  validate->callback([&] { code = validate_file(scenario_file, flags); });

  HitFlags hit_flags;
  auto* hit_cmd = app.add_subcommand("hit", "load one URL without a scenario file (like hey or wrk2)");
  hit_cmd->add_option("URL", hit_flags.url, "http(s)://host:port/path?query")->required();
  hit_cmd->add_option("-X,--method", hit_flags.method, "HTTP method")->capture_default_str();
  auto* rate = hit_cmd->add_option("--rate", hit_flags.rate, "open model: requests per second, e.g. 200/s");
  hit_cmd->add_option("--vus", hit_flags.vus, "closed model: virtual users")->capture_default_str()->excludes(rate);
  hit_cmd->add_option("--duration", hit_flags.duration, "how long, e.g. 30s")->capture_default_str();
  hit_cmd->add_option("-H,--header", hit_flags.headers, "'Name: value' (repeatable)");
  hit_cmd->add_option("-d,--data", hit_flags.data, "request body (JSON)");
  hit_cmd->add_option("--connections,-c", hit_flags.connections, "connections at most");
  hit_cmd->add_flag("--insecure,-k", hit_flags.insecure, "do not verify the TLS certificate");
  add_run_flags(hit_cmd, true);
  hit_cmd->callback([&] { code = hit(hit_flags, flags); });

  std::string report_path, report_out;
  auto* report_cmd = app.add_subcommand("report", "write the reports again from a summary.json (or its directory)");
  report_cmd->add_option("PATH", report_path, "summary.json, or the --out directory holding it")->required();
  report_cmd->add_option("-o,--out", report_out, "write summary.json, junit.xml and metrics.prom here");
  report_cmd->callback([&] { code = report_command(report_path, report_out); });

  std::vector<std::string> merge_paths;
  std::string merge_out;
  auto* merge_cmd = app.add_subcommand("merge", "merge runs that ran side by side (histograms merge without loss)");
  merge_cmd->add_option("RUN", merge_paths, "summary.json files or --out directories")->required()->expected(2, -1);
  merge_cmd->add_option("-o,--out", merge_out, "write the merged reports here")->required();
  merge_cmd->callback([&] { code = merge_command(merge_paths, merge_out); });

  CompareFlags compare_flags;
  std::string tolerance = "10%";
  auto* compare_cmd = app.add_subcommand("compare", "compare two runs step by step; exit 1 on a regression");
  compare_cmd->add_option("BASE", compare_flags.base, "the baseline summary.json or directory")->required();
  compare_cmd->add_option("NEW", compare_flags.next, "the new summary.json or directory")->required();
  compare_cmd->add_option("--tolerance", tolerance, "how much p99 may grow, e.g. 10%")->capture_default_str();
  compare_cmd->add_option("--format", compare_flags.format, "text, markdown or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}))
      ->capture_default_str();
  compare_cmd->callback([&] {
    std::string t = tolerance;
    if (!t.empty() && t.back() == '%') t.pop_back();
    try {
      std::size_t used = 0;
      compare_flags.tolerance = std::stod(t, &used) / 100;
      if (used != t.size() || compare_flags.tolerance < 0) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      std::cerr << "tollgate compare: --tolerance " << tolerance << ": expected a percentage like 10%\n";
      code = kBadInput;
      return;
    }
    code = compare_command(compare_flags);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kOk : kBadInput;
  }
  return code;
}
