#include "harness/probe/probe_plan.h"

#include <algorithm>
#include <cmath>

#include "common/percent.h"
#include "common/printable.h"
#include "common/secrets.h"
#include "common/text.h"

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

bool is_credential_header(const contract::Contract& c, const std::string& name) {
  if (!secrets_of({{name, "a-long-enough-value"}}).empty()) return true;
  const auto schemes = c.documents().root_ref().child("components").child("securitySchemes");
  if (!schemes || !schemes.node->is_object()) return false;
  for (const auto& [key, s] : schemes.node->items()) {
    if (!s.is_object()) continue;
    if (s.value("type", "") == "apiKey" && s.value("in", "") == "header" && iequals(s.value("name", ""), name))
      return true;
  }
  return false;
}

scenario::Plan probe_plan(const std::vector<Case>& cases, const ProbeSetup& setup) {
  scenario::Plan plan;
  plan.file = "probe " + setup.spec_file;
  plan.target = setup.target;
  plan.spec_file = setup.spec_file;
  plan.contract = setup.contract;
  scenario::Scenario s;
  s.name = "probe";
  s.contract = setup.contract;
  s.spec_file = setup.spec_file;
  s.step_per_iteration = true;
  s.iterations = static_cast<std::int64_t>(cases.size());
  const int workers = std::max(1, std::min<int>(setup.workers, static_cast<int>(std::max<std::size_t>(cases.size(), 1))));
  if (setup.rate > 0) {
    s.executor = scenario::Executor::kConstantArrivalRate;
    s.rate = setup.rate;
    // Long enough for every case to be scheduled, never longer than allowed.
    const auto needed = std::chrono::duration<double>(static_cast<double>(cases.size()) / setup.rate + 0.5);
    s.duration = std::min(std::chrono::duration_cast<std::chrono::nanoseconds>(needed), setup.max_duration);
    s.max_in_flight = workers;
  } else {
    s.executor = scenario::Executor::kIterations;
    s.vus = workers;
    s.duration = setup.max_duration;
  }
  s.connections = workers;
  for (const auto& k : cases) {
    std::string target = k.path;
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
    if (k.kind == CaseKind::kMethod) step.expect.headers.push_back({"Allow", scenario::HeaderCheck::Kind::kPresent, ""});
    step.where = {setup.spec_file, 0, 0};
    s.steps.push_back(std::move(step));
  }
  plan.scenarios.push_back(std::move(s));
  return plan;
}

std::string curl_command(const scenario::Plan& plan, const scenario::Step& step, bool show_secrets) {
  const std::vector<std::string> secrets = show_secrets ? std::vector<std::string>{} : secrets_of(step.headers);
  auto safe = [&](const std::string& s) { return quoted(printable(mask_secrets(s, secrets), 64 * 1024)); };
  std::string out = "curl -sS -i -X " + step.method + " " + safe(plan.target.to_string() + step.path);
  for (const auto& [k, v] : step.headers) out += " -H " + safe(k + ": " + v);
  if (step.body) out += " --data-binary " + safe(*step.body);
  return out;
}

}  // namespace tollgate::probe
