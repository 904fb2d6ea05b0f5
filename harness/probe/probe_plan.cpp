#include "harness/probe/probe_plan.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/percent.h"
#include "common/printable.h"
#include "common/secrets.h"
#include "common/text.h"
#include "harness/probe/credentials.h"

namespace tollgate::probe {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace

namespace {

scenario::Step make_step(const Case& k, const ProbeSetup& setup) {
  std::string target = k.path;
  if (!k.templated)
    for (const auto& [name, value] : k.query)
      target += (target.find('?') == std::string::npos ? "?" : "&") + percent_encode(name) + "=" + percent_encode(value);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : setup.headers)
    if (!(k.without_credentials && is_credential_header(*setup.contract, h.first))) headers.push_back(h);
  for (const auto& h : k.headers) {
    std::erase_if(headers, [&](const auto& x) { return iequals(x.first, h.first); });
    headers.push_back(h);
  }
  scenario::Step step = scenario::literal_step(k.method, target, std::move(headers), k.body);
  step.name = k.name;
  step.operation = k.contract && k.op ? k.op->id : "";
  step.op = k.contract ? k.op : nullptr;
  step.expect.status = k.expect;
  step.expect.contract = k.contract && k.op;
  step.asks_stream = k.asks_stream;
  step.expect.stream = k.asks_stream;
  if (setup.max_time.count() > 0) step.expect.max_time = setup.max_time;
  for (const auto& [pointer, value] : k.expect_equal)
    step.expect.body.push_back({pointer, scenario::BodyCheck::Kind::kEquals, value});
  if (k.kind == CaseKind::kMethod) step.expect.headers.push_back({"Allow", scenario::HeaderCheck::Kind::kPresent, ""});
  step.where = {setup.spec_file, 0, 0};
  if (!k.extract_var.empty()) step.extract.push_back({k.extract_var, k.extract_header.empty() ? k.extract_pointer : "", k.extract_header});
  if (!k.poll_pointer.empty()) {
    scenario::Poll poll;
    poll.pointer = k.poll_pointer;
    for (const auto& v : k.poll_values) poll.values.emplace_back(v);
    poll.interval = setup.poll_interval;
    poll.timeout = setup.poll_timeout;
    step.poll = std::move(poll);
  }
  if (k.templated) {  // {{ref}} from an earlier answer of the chain, rendered when sent
    step.templated = true;
    step.path_t = scenario::parse_template(k.path, step.where);
    for (const auto& [name, value] : k.query) step.query_t.emplace_back(name, scenario::parse_template(value, step.where));
  }
  return step;
}

}  // namespace

scenario::Plan probe_plan(const std::vector<Case>& cases, const ProbeSetup& setup,
                          std::vector<std::vector<std::size_t>>* case_index) {
  scenario::Plan plan;
  plan.file = "probe " + setup.spec_file;
  plan.target = setup.target;
  plan.spec_file = setup.spec_file;
  plan.contract = setup.contract;
  std::vector<std::vector<std::size_t>> index(1);
  std::map<int, std::size_t> chains;  // chain number -> its scenario
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].chain == 0) {
      index[0].push_back(i);
      continue;
    }
    auto [it, added] = chains.emplace(cases[i].chain, index.size());
    if (added) index.emplace_back();
    index[it->second].push_back(i);
  }
  auto base = [&](const std::string& name) {
    scenario::Scenario s;
    s.name = name;
    s.contract = setup.contract;
    s.spec_file = setup.spec_file;
    return s;
  };
  // The single cases: one per iteration, as workers come free.
  scenario::Scenario s = base("probe");
  const std::size_t singles = index[0].size();
  for (std::size_t i = 0; i < singles; ++i) s.iteration_groups.push_back(i);
  s.iterations = static_cast<std::int64_t>(singles);
  const int workers = std::max(1, std::min<int>(setup.workers, static_cast<int>(std::max<std::size_t>(singles, 1))));
  if (setup.rate > 0) {
    s.executor = scenario::Executor::kConstantArrivalRate;
    s.rate = setup.rate;
    // Long enough for every case to be scheduled, never longer than allowed.
    const auto needed = std::chrono::duration<double>(static_cast<double>(singles) / setup.rate + 0.5);
    s.duration = std::min(std::chrono::duration_cast<std::chrono::nanoseconds>(needed), setup.max_duration);
    s.max_in_flight = workers;
  } else {
    s.executor = scenario::Executor::kIterations;
    s.vus = workers;
    s.duration = setup.max_duration;
  }
  s.connections = workers;
  for (std::size_t i : index[0]) s.steps.push_back(make_step(cases[i], setup));
  plan.scenarios.push_back(std::move(s));
  // The chains: one after the other (two may touch the same resource: a
  // read must not race a delete), each case of a chain in order, by one
  // virtual user; a chain that fails ends there, the next one still runs.
  // They start when the single cases have ended: a single DELETE with a
  // made-up id could remove what a chain just made.
  std::vector<std::vector<std::size_t>> out{index[0]};
  if (index.size() > 1) {
    scenario::Scenario chains = base("chains");
    chains.executor = scenario::Executor::kIterations;
    chains.vus = 1;
    chains.iterations = static_cast<std::int64_t>(index.size() - 1);
    chains.duration = setup.max_duration;
    chains.connections = 1;
    out.emplace_back();
    for (std::size_t c = 1; c < index.size(); ++c) {
      chains.iteration_groups.push_back(chains.steps.size());
      for (std::size_t i : index[c]) {
        chains.steps.push_back(make_step(cases[i], setup));
        out.back().push_back(i);
      }
    }
    plan.scenarios.push_back(std::move(chains));
    plan.one_after_another = true;
  }
  if (case_index) *case_index = std::move(out);
  return plan;
}

std::string curl_command(const scenario::Plan& plan, const scenario::Step& step, bool show_secrets) {
  std::vector<std::string> secrets = show_secrets ? std::vector<std::string>{} : secrets_of(step.headers);
  std::erase(secrets, std::string(kWrongCredential));  // the auth cases' own wrong one is no secret
  auto safe = [&](const std::string& s) { return quoted(printable(mask_secrets(s, secrets), 64 * 1024)); };
  std::string target = step.path;
  if (step.templated)  // a chain's step: {{ref}} stands for what its first answer carried
    for (const auto& [name, t] : step.query_t) {
      std::string value;
      for (const auto& part : t.parts) value += part.var ? "{{" + part.text + "}}" : part.text;
      target += (target.find('?') == std::string::npos ? "?" : "&") + percent_encode(name) + "=" + value;
    }
  std::string out = "curl -sS -i -X " + step.method + " " + safe(plan.target.to_string() + target);
  for (const auto& [k, v] : step.headers) out += " -H " + safe(k + ": " + v);
  if (step.body) out += " --data-binary " + safe(*step.body);
  return out;
}

}  // namespace tollgate::probe
