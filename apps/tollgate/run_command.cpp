#include "apps/tollgate/run_command.h"

#include <iostream>

#include "apps/tollgate/execute.h"
#include "apps/tollgate/exit_codes.h"
#include "harness/check/coverage.h"
#include "reports/coverage.h"

namespace tollgate::cli {

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

namespace {

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

}  // namespace

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

}  // namespace tollgate::cli
