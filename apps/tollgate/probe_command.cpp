#include "apps/tollgate/probe_command.h"

#include <iostream>
#include <map>

#include "apps/tollgate/execute.h"
#include "apps/tollgate/exit_codes.h"
#include "common/printable.h"
#include "common/secrets.h"
#include "harness/check/check_names.h"
#include "harness/probe/probe_plan.h"
#include "harness/scenario/units.h"

namespace tollgate::cli {
namespace {

using CaseIndex = std::vector<std::vector<std::size_t>>;

void print_cases(const probe::CaseSet& set, const scenario::Plan& plan, const CaseIndex& index, bool show_secrets,
                 std::ostream& out) {
  for (std::size_t si = 0; si < plan.scenarios.size(); ++si)
    for (std::size_t j = 0; j < index[si].size(); ++j) {
      const auto& k = set.cases[index[si][j]];
      out << printable(k.name, 200) << "\n  expect " << check::status_name(k.expect) << (k.contract ? ", the contract" : "")
          << "\n  " << probe::curl_command(plan, plan.scenarios[si].steps[j], show_secrets) << "\n";
    }
}

/// What the probe found: cases per kind, then every failed case with what
/// failed, what came back and how to send it again.
void report(const probe::CaseSet& set, const scenario::Plan& plan, const CaseIndex& index,
            const metrics::RunResult& run, bool show_secrets, std::ostream& out) {
  std::map<std::string, std::pair<int, int>> by_kind;  // kind -> (cases, failed)
  int failed = 0, not_run = 0;
  for (std::size_t si = 0; si < plan.scenarios.size() && si < run.scenarios.size(); ++si) {
    const auto& results = run.scenarios[si].steps;
    for (std::size_t j = 0; j < index[si].size() && j < results.size(); ++j) {
      const auto& k = set.cases[index[si][j]];
      const auto& m = results[j].metrics;
      auto& tally = by_kind[probe::kind_name(k.kind)];
      ++tally.first;
      if (m.requests == 0) {
        ++not_run;
        if (!m.unsupported_message.empty()) out << "\nNOT SENT " << printable(k.name, 300) << ": " << m.unsupported_message << "\n";
        continue;
      }
      if (m.checks_failed == 0 && m.error_count() == 0) continue;
      ++tally.second;
      ++failed;
      out << "\nFAIL " << printable(k.name, 300) << "\n";
      for (const auto& c : m.checks)
        if (c.failed > 0)
          for (const auto& [message, n] : c.samples) out << "  " << printable(c.name, 120) << ": " << message << "\n";
      for (std::size_t kind = 0; kind < m.error_samples.size(); ++kind)
        for (const auto& [message, n] : m.error_samples[kind]) out << "  error: " << message << "\n";
      const auto& sc = plan.scenarios[si];
      if (k.chain == 0) {
        out << "  reproduce: " << probe::curl_command(plan, sc.steps[j], show_secrets) << "\n";
        continue;
      }
      // A chain: its steps up to this one, {{ref}} being what the first answer carried.
      std::size_t start = 0;
      for (std::size_t g : sc.iteration_groups)
        if (g <= j) start = g;
      const auto& first_case = set.cases[index[si][start]];
      out << "  reproduce, in order ({{ref}}: " << first_case.extract_pointer << " of the first answer):\n";
      for (std::size_t step = start; step <= j; ++step)
        out << "    " << probe::curl_command(plan, sc.steps[step], show_secrets) << "\n";
    }
  }
  out << "\nprobe of " << plan.spec_file << ": " << set.cases.size() << " cases (";
  bool first = true;
  for (const auto& [kind, t] : by_kind) {
    out << (first ? "" : ", ") << t.first << " " << kind << (t.second ? " / " + std::to_string(t.second) + " failed" : "");
    first = false;
  }
  out << "), " << failed << " failed";
  if (not_run) out << ", " << not_run << " not sent (the run ended first, or an earlier step of their chain failed)";
  out << "\n";
  for (const auto& n : set.notes) out << "note: " << printable(n, 300) << "\n";
}

}  // namespace

int probe(const ProbeFlags& p, const RunFlags& flags) {
  probe::ProbeSetup setup;
  probe::CaseOptions options;
  try {
    setup.contract = contract::Contract::load(p.spec);
    setup.spec_file = p.spec;
    std::string error;
    auto target = scenario::parse_url(p.target, error);
    if (!target) throw SourceError({"--target", 0, 0}, error);
    setup.target = *target;
    setup.headers = parse_headers(p.headers);
    if (p.workers < 1) throw SourceError({"--workers", 0, 0}, "must be 1 or more");
    if (p.max_examples < 0) throw SourceError({"--max-examples", 0, 0}, "must be 0 or more");
    setup.workers = p.workers;
    if (!p.rate.empty()) {
      const auto rate = scenario::parse_rate(p.rate);
      if (!rate || *rate <= 0) throw SourceError({"--rate", 0, 0}, "'" + p.rate + "' is not a rate (like 50/s)");
      setup.rate = *rate;
    }
    if (!p.max_time.empty()) {
      const auto t = scenario::parse_duration(p.max_time);
      if (!t || t->count() <= 0) throw SourceError({"--max-time", 0, 0}, "'" + p.max_time + "' is not a duration (like 2s)");
      setup.max_time = *t;
    }
    options.seed = p.seed;
    options.max_examples = p.max_examples;
    options.operations = p.operations;
    options.exclude_operations = p.exclude_operations;
    options.tags = p.tags;
    options.destructive = !p.no_destructive;
    for (const auto& id : p.operations)
      if (!setup.contract->find(id)) throw SourceError({"--operation", 0, 0}, "'" + id + "' is no operationId of " + p.spec);
  } catch (const SourceError& e) {
    std::cerr << "tollgate probe: " << e.what() << "\n";
    return kBadInput;
  }
  const probe::CaseSet set = probe::generate_cases(*setup.contract, options);
  CaseIndex index;
  scenario::Plan plan = probe::probe_plan(set.cases, setup, &index);
  if (set.cases.empty()) {
    for (const auto& n : set.notes) std::cerr << "note: " << n << "\n";
    std::cerr << "tollgate probe: no case to send (see the notes above)\n";
    return kBadInput;
  }
  if (p.dry_run) {
    print_cases(set, plan, index, p.show_secrets, std::cout);
    std::cout << "\n" << set.cases.size() << " cases; nothing sent (--dry-run)\n";
    for (const auto& n : set.notes) std::cout << "note: " << printable(n, 300) << "\n";
    return kOk;
  }
  try {
    add_thresholds(plan, {"checks.failed == 0"});
  } catch (const SourceError& e) {
    std::cerr << "tollgate probe: " << e.what() << "\n";
    return kBadInput;
  }
  RunFlags run_flags = flags;
  plan.headers.clear();
  run_flags.command_line = mask_command_line(flags.command_line, setup.headers);
  ExecuteHooks hooks;
  hooks.summary_table = false;
  hooks.after = [&](const metrics::RunResult& run, std::ostream& out) { report(set, plan, index, run, p.show_secrets, out); };
  return execute(plan, run_flags, hooks);
}

}  // namespace tollgate::cli
