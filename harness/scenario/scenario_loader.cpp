// A scenario: its contract, executor and the fields each executor takes,
// its data file, and its steps.
#include "harness/scenario/loader.h"

namespace tollgate::scenario {

using nlohmann::json;

Scenario Loader::scenario(const std::string& name, const json& s, const std::string& at, const Plan& plan_in) const {
  Scenario out;
  out.name = name;
  out.where = where(at);
  out.contract = plan_in.contract;
  out.spec_file = plan_in.spec_file;
  if (s.contains("spec")) std::tie(out.spec_file, out.contract) = load_contract(s["spec"], at + "/spec");
  // Steps see the scenario's contract as "the plan's".
  Plan plan;
  plan.contract = out.contract;
  plan.spec_file = out.spec_file;
  executor_fields(out, s, at);
  std::set<std::string> vars(kBuiltinVariables.begin(), kBuiltinVariables.end());
  if (s.contains("data")) {
    out.data = load_data(s["data"], at + "/data");
    for (const auto& c : out.data->columns) vars.insert(c);
  }
  for (std::size_t i = 0; i < s["steps"].size(); ++i)
    out.steps.push_back(step(s["steps"][i], at + "/steps/" + std::to_string(i), plan, vars));
  return out;
}

// The executor and what it needs (and refuses): rates, VUs, stages,
// durations, iterations.
void Loader::executor_fields(Scenario& out, const json& s, const std::string& at) const {
  static const std::map<std::string, Executor> kExecutors = {
      {"constant-arrival-rate", Executor::kConstantArrivalRate}, {"ramping-arrival-rate", Executor::kRampingArrivalRate},
      {"constant-vus", Executor::kConstantVus}, {"ramping-vus", Executor::kRampingVus}, {"iterations", Executor::kIterations}};
  const std::string exec = s["executor"].get<std::string>();
  out.executor = kExecutors.at(exec);
  auto need = [&](const char* key, const std::string& why) {
    if (!s.contains(key)) fail(at, exec + " needs '" + key + "' (" + why + ")");
  };
  auto forbid = [&](std::initializer_list<const char*> keys) {
    for (const char* key : keys)
      if (s.contains(key)) fail(at + "/" + key, "'" + std::string(key) + "' does not apply to " + exec);
  };
  if (s.contains("duration")) out.duration = duration_at(at + "/duration", s["duration"]);
  if (s.contains("iterations")) out.iterations = s["iterations"].get<std::int64_t>();
  if (s.contains("think_time")) out.think_time = duration_at(at + "/think_time", s["think_time"]);
  if (s.contains("graceful_stop")) out.graceful_stop = duration_at(at + "/graceful_stop", s["graceful_stop"]);
  out.max_in_flight = s.value("max_in_flight", 0);
  out.connections = s.value("connections", 0);
  out.poisson = s.value("arrivals", "uniform") == "poisson";
  if (s.contains("stages"))
    for (std::size_t i = 0; i < s["stages"].size(); ++i) {
      const std::string sp = at + "/stages/" + std::to_string(i);
      const json& st = s["stages"][i];
      const double target = out.executor == Executor::kRampingVus
                                ? (st["target"].is_number() ? st["target"].get<double>() : -1)
                                : rate_at(sp + "/target", st["target"]);
      if (target < 0) fail(sp + "/target", "a ramping-vus target is a number of VUs");
      out.stages.push_back({duration_at(sp + "/duration", st["duration"]), target});
    }
  switch (out.executor) {
    case Executor::kConstantArrivalRate:
      need("rate", "requests per second, like 200/s");
      need("duration", "how long to send, like 30s");
      forbid({"stages", "vus"});
      out.rate = rate_at(at + "/rate", s["rate"]);
      if (out.rate <= 0) fail(at + "/rate", "the rate must be above zero");
      break;
    case Executor::kRampingArrivalRate:
      need("stages", "[{duration, target rate}]");
      forbid({"rate", "duration", "vus"});
      out.start_rate = s.contains("start_rate") ? rate_at(at + "/start_rate", s["start_rate"]) : 0;
      break;
    case Executor::kConstantVus:
      need("vus", "how many virtual users");
      need("duration", "how long they loop, like 30s");
      forbid({"rate", "stages"});
      out.vus = s["vus"];
      break;
    case Executor::kRampingVus:
      need("stages", "[{duration, target VUs}]");
      forbid({"rate", "duration"});
      out.vus = s.value("start_vus", 0);
      break;
    case Executor::kIterations:
      need("iterations", "how many iterations in all");
      forbid({"rate", "stages"});
      out.vus = s.value("vus", 1);
      break;
  }
  if (!is_open_model(out.executor)) forbid({"max_in_flight", "arrivals"});
}

}  // namespace tollgate::scenario
