#include "apps/tollgate/probe_command.h"

#include <iostream>
#include <map>
#include <set>

#include "apps/tollgate/execute.h"
#include "apps/tollgate/exit_codes.h"
#include "apps/tollgate/probe_shrink.h"
#include "common/printable.h"
#include "common/secrets.h"
#include "harness/check/check_names.h"
#include "harness/probe/baseline.h"
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

enum class State { kPassed, kFailed, kNotSent };

/// How each case (by its index in the set) came out.
std::vector<State> states_of(const probe::CaseSet& set, const CaseIndex& index, const metrics::RunResult& run) {
  std::vector<State> out(set.cases.size(), State::kNotSent);
  for (std::size_t si = 0; si < index.size() && si < run.scenarios.size(); ++si)
    for (std::size_t j = 0; j < index[si].size() && j < run.scenarios[si].steps.size(); ++j) {
      const auto& m = run.scenarios[si].steps[j].metrics;
      if (m.requests > 0) out[index[si][j]] = m.checks_failed == 0 && m.error_count() == 0 ? State::kPassed : State::kFailed;
    }
  return out;
}

/// The name a baseline holds for a case.
std::string baseline_name(const probe::Case& k) { return printable(k.name, 1000); }

/// What the probe found: cases per kind, then every failed case with what
/// failed, what came back and how to send it again; failures the baseline
/// knows are marked KNOWN, baseline cases that passed FIXED.
void report(const probe::CaseSet& set, const scenario::Plan& plan, const CaseIndex& index,
            const metrics::RunResult& run, const std::set<std::string>& baseline, const Shrinking& shrinking,
            const probe::ProbeSetup& setup, bool show_secrets, std::ostream& out) {
  const auto states = states_of(set, index, run);
  std::map<std::string, std::pair<int, int>> by_kind;  // kind -> (cases, failed)
  int failed = 0, known = 0, not_run = 0;
  for (std::size_t si = 0; si < plan.scenarios.size() && si < run.scenarios.size(); ++si) {
    for (std::size_t j = 0; j < index[si].size() && j < run.scenarios[si].steps.size(); ++j) {
      const auto& k = set.cases[index[si][j]];
      const auto& m = run.scenarios[si].steps[j].metrics;
      auto& tally = by_kind[probe::kind_name(k.kind)];
      ++tally.first;
      const State state = states[index[si][j]];
      if (state == State::kNotSent) {
        ++not_run;
        if (!m.unsupported_message.empty()) out << "\nNOT SENT " << printable(k.name, 300) << ": " << m.unsupported_message << "\n";
        continue;
      }
      if (state == State::kPassed) {
        if (baseline.count(baseline_name(k))) out << "\nFIXED " << printable(k.name, 300) << " (passes: remove it from the baseline)\n";
        continue;
      }
      ++tally.second;
      ++failed;
      const bool is_known = baseline.count(baseline_name(k)) > 0;
      known += is_known;
      out << (is_known ? "\nKNOWN " : "\nFAIL ") << printable(k.name, 300) << (is_known ? " (in the baseline)" : "") << "\n";
      for (const auto& c : m.checks)
        if (c.failed > 0)
          for (const auto& [message, n] : c.samples) out << "  " << printable(c.name, 120) << ": " << message << "\n";
      for (std::size_t kind = 0; kind < m.error_samples.size(); ++kind)
        for (const auto& [message, n] : m.error_samples[kind]) out << "  error: " << message << "\n";
      const auto& sc = plan.scenarios[si];
      if (k.chain == 0) {
        if (const auto s = shrinking.shrunk.find(index[si][j]); s != shrinking.shrunk.end()) {
          const scenario::Plan one = probe::probe_plan({s->second}, setup);
          out << "  reproduce (shrunk, " << s->second.body->size() << " of " << k.body->size()
              << " body bytes, fails the same way): " << probe::curl_command(one, one.scenarios[0].steps[0], show_secrets)
              << "\n  as first sent: " << probe::curl_command(plan, sc.steps[j], show_secrets) << "\n";
        } else {
          out << "  reproduce: " << probe::curl_command(plan, sc.steps[j], show_secrets) << "\n";
        }
        continue;
      }
      // A chain: its steps up to this one, {{ref}} being what the first answer carried.
      std::size_t start = 0;
      for (std::size_t g : sc.iteration_groups)
        if (g <= j) start = g;
      const auto& first_case = set.cases[index[si][start]];
      if (first_case.extract_var.empty())
        out << "  reproduce, in order:\n";
      else
        out << "  reproduce, in order ({{ref}}: "
            << (first_case.extract_header.empty() ? first_case.extract_pointer : "header " + first_case.extract_header)
            << " of the first answer):\n";
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
  if (!baseline.empty()) out << " (" << known << " known from the baseline, " << failed - known << " new)";
  if (not_run) out << ", " << not_run << " not sent (the run ended first, or an earlier step of their chain failed)";
  out << "\n";
  if (shrinking.rounds > 0)
    out << "shrinking: " << shrinking.shrunk.size() << " failing case(s) made smaller in " << shrinking.rounds
        << " round(s), " << shrinking.requests << " more requests (not in the figures above)\n";
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
    const auto poll = scenario::parse_duration(p.poll_timeout);
    if (!poll || poll->count() <= 0)
      throw SourceError({"--poll-timeout", 0, 0}, "'" + p.poll_timeout + "' is not a duration (like 30s)");
    setup.poll_timeout = *poll;
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
  std::set<std::string> baseline;
  try {
    if (!p.baseline.empty()) baseline = probe::read_baseline(p.baseline);
  } catch (const SourceError& e) {
    std::cerr << "tollgate probe: --baseline " << e.what() << "\n";
    return kBadInput;
  }
  RunFlags run_flags = flags;
  plan.headers.clear();
  run_flags.command_line = mask_command_line(flags.command_line, setup.headers);
  ExecuteHooks hooks;
  hooks.summary_table = false;
  // The verdict: no failed case but those the baseline knows.
  std::vector<std::string> failing;
  Shrinking shrinking;
  hooks.judge = [&](metrics::RunResult& run) {
    run.info.junit_by_operation = true;
    const auto states = states_of(set, index, run);
    std::size_t fresh = 0;
    for (std::size_t i = 0; i < states.size(); ++i)
      if (states[i] == State::kFailed) {
        failing.push_back(baseline_name(set.cases[i]));
        fresh += baseline.count(failing.back()) == 0;
      }
    if (!p.no_shrink && fresh > 0) {
      try {
        shrinking = shrink_failures(set.cases, index, run, setup, flags.threads, stop_requested());
      } catch (const std::exception& e) {
        std::cerr << "tollgate probe: shrinking stopped: " << e.what() << "\n";
      }
    }
    metrics::ThresholdResult t;
    t.expr = baseline.empty() ? "failed cases == 0" : "failed cases outside the baseline == 0";
    t.actual = static_cast<double>(fresh);
    t.passed = fresh == 0;
    run.thresholds.push_back(t);
  };
  hooks.after = [&](const metrics::RunResult& run, std::ostream& out) {
    report(set, plan, index, run, baseline, shrinking, setup, p.show_secrets, out);
  };
  hooks.segmentable = false;
  const int code = execute(plan, run_flags, hooks);
  if (!p.write_baseline.empty() && (code == kOk || code == kFailed)) {
    try {
      probe::write_baseline(p.write_baseline, failing, p.spec + ", seed " + std::to_string(p.seed));
      std::cout << "baseline: " << failing.size() << " failing case(s) written to " << p.write_baseline << "\n";
    } catch (const std::exception& e) {
      std::cerr << "tollgate probe: --write-baseline: " << e.what() << "\n";
      return kCannotRun;
    }
  }
  return code;
}

}  // namespace tollgate::cli
