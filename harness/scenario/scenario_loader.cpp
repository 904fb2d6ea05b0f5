// A scenario: its contract, executor and the fields each executor takes,
// its data file, and its steps.
#include "harness/scenario/loader.h"
#include "harness/scenario/units.h"

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
  if (s.contains("workload")) out.workload = load_workload(s["workload"], at + "/workload", vars);
  for (std::size_t i = 0; i < s["steps"].size(); ++i)
    out.steps.push_back(step(s["steps"][i], at + "/steps/" + std::to_string(i), plan, vars));
  if (out.workload && !out.workload->conversations.empty()) {
    // A conversation: its one step once a turn, each turn measured apart.
    if (out.steps.size() != 1)
      fail(at + "/steps", "a scenario with conversations has one step, sent once a turn (it has " +
                              std::to_string(out.steps.size()) + ")");
    if (out.data) fail(at + "/data", "a scenario with conversations takes its rows from them: 'data' does not apply");
    const Step turn = out.steps.front();
    out.steps.clear();
    for (int k = 1; k <= out.workload->turns; ++k) {
      out.steps.push_back(turn);
      out.steps.back().collects_answer = true;
      if (out.workload->turns > 1) out.steps.back().name = turn.name + " turn " + std::to_string(k);
    }
  }
  return out;
}

// The executor and what it needs (and refuses): rates, VUs, stages,
// durations, iterations.
void Loader::executor_fields(Scenario& out, const json& s, const std::string& at) const {
  static const std::map<std::string, Executor> kExecutors = {
      {"constant-arrival-rate", Executor::kConstantArrivalRate}, {"ramping-arrival-rate", Executor::kRampingArrivalRate},
      {"constant-vus", Executor::kConstantVus}, {"ramping-vus", Executor::kRampingVus}, {"iterations", Executor::kIterations}};
  const std::string exec = s["executor"].get<std::string>();
  auto need = [&](const char* key, const std::string& why) {
    if (!s.contains(key)) fail(at, exec + " needs '" + key + "' (" + why + ")");
  };
  auto forbid = [&](std::initializer_list<const char*> keys) {
    for (const char* key : keys)
      if (s.contains(key)) fail(at + "/" + key, "'" + std::string(key) + "' does not apply to " + exec);
  };
  if (s.contains("goodput")) {
    const json& g = s["goodput"];
    for (const char* k : {"ttft", "tpot", "e2e"})
      if (g.contains(k)) {
        const auto d = duration_at(at + "/goodput/" + std::string(k), g[k]);
        (k[0] == 'e' ? out.goodput.e2e : k[1] == 't' ? out.goodput.ttft : out.goodput.tpot) = d;
      }
  }
  if (s.contains("duration")) out.duration = duration_at(at + "/duration", s["duration"]);
  if (s.contains("iterations")) out.iterations = s["iterations"].get<std::int64_t>();
  if (s.contains("think_time")) out.think_time = duration_at(at + "/think_time", s["think_time"]);
  if (s.contains("graceful_stop")) out.graceful_stop = duration_at(at + "/graceful_stop", s["graceful_stop"]);
  out.max_in_flight = s.value("max_in_flight", 0);
  out.connections = s.value("connections", 0);
  out.poisson = s.value("arrivals", "uniform") == "poisson";
  if (s.value("arrivals", "uniform") == "gamma") {
    if (!s.contains("burstiness")) fail(at, "arrivals: gamma needs 'burstiness' (the coefficient of variation; 1 is Poisson)");
    out.burstiness = s["burstiness"].get<double>();
  } else if (s.contains("burstiness")) {
    fail(at + "/burstiness", "'burstiness' applies to arrivals: gamma");
  }
  if (exec == "capacity-search" || exec == "sweep") {
    series_fields(out, s, at, exec);
    return;
  }
  forbid({"max_rate", "step_duration", "precision", "growth", "max_steps", "rates", "concurrencies", "slo",
          "min_achieved", "max_late"});
  out.executor = kExecutors.at(exec);
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
  if (!is_open_model(out.executor)) forbid({"max_in_flight", "arrivals", "burstiness"});
}

// capacity-search and sweep: the series, and what each of its steps runs.
void Loader::series_fields(Scenario& out, const json& s, const std::string& at, const std::string& exec) const {
  auto need = [&](const char* key, const std::string& why) {
    if (!s.contains(key)) fail(at, exec + " needs '" + key + "' (" + why + ")");
  };
  auto forbid = [&](std::initializer_list<const char*> keys) {
    for (const char* key : keys)
      if (s.contains(key)) fail(at + "/" + key, "'" + std::string(key) + "' does not apply to " + exec);
  };
  auto fraction = [&](const char* key, double fallback) {
    if (!s.contains(key)) return fallback;
    const json& v = s[key];
    const auto f = v.is_number() ? std::optional<double>(v.get<double>()) : parse_fraction(v.get<std::string>());
    if (!f || *f < 0 || *f > 1) fail(at + "/" + key, "'" + v.dump() + "' is not a share like 2% or 0.02");
    return *f;
  };
  Series series;
  need("step_duration", "how long each step holds its load, like 10s");
  series.step_duration = duration_at(at + "/step_duration", s["step_duration"]);
  if (series.step_duration.count() <= 0) fail(at + "/step_duration", "a step must last some time");
  forbid({"rate", "duration", "stages", "iterations", "start_vus"});
  if (s.contains("slo"))
    for (std::size_t i = 0; i < s["slo"].size(); ++i)
      series.slo.push_back(parse_threshold(s["slo"][i].get<std::string>(), where(at + "/slo/" + std::to_string(i))));
  series.min_achieved = fraction("min_achieved", 0.98);
  series.max_late = fraction("max_late", 0.05);
  out.executor = Executor::kConstantArrivalRate;
  if (exec == "capacity-search") {
    series.kind = Series::Kind::kSearch;
    need("start_rate", "the first step's rate, like 10/s");
    need("max_rate", "the highest rate to try, like 1000/s");
    need("slo", "the thresholds each step must meet, like [ttft.p99 < 1s]");
    forbid({"rates", "concurrencies", "vus"});
    series.start_rate = rate_at(at + "/start_rate", s["start_rate"]);
    series.max_rate = rate_at(at + "/max_rate", s["max_rate"]);
    if (series.start_rate <= 0) fail(at + "/start_rate", "the rate must be above zero");
    if (series.max_rate < series.start_rate) fail(at + "/max_rate", "max_rate is below start_rate");
    if (series.slo.empty()) fail(at + "/slo", "a search needs at least one threshold to meet");
    series.precision = fraction("precision", 0.05);
    if (series.precision <= 0) fail(at + "/precision", "the precision must be above zero, like 2%");
    series.growth = s.value("growth", 2.0);
    series.max_steps = s.value("max_steps", 20);
  } else {
    series.kind = Series::Kind::kSweep;
    forbid({"start_rate", "max_rate", "precision", "growth", "max_steps", "vus"});
    if (s.contains("rates") == s.contains("concurrencies"))
      fail(at, "sweep needs either 'rates' (open model, like [10/s, 20/s]) or 'concurrencies' (closed model, like [1, 8, 32])");
    if (s.contains("rates")) {
      for (std::size_t i = 0; i < s["rates"].size(); ++i) {
        series.rates.push_back(rate_at(at + "/rates/" + std::to_string(i), s["rates"][i]));
        if (series.rates.back() <= 0) fail(at + "/rates/" + std::to_string(i), "the rate must be above zero");
      }
    } else {
      forbid({"max_in_flight", "arrivals", "burstiness"});
      for (const auto& v : s["concurrencies"]) series.concurrencies.push_back(v.get<int>());
      out.executor = Executor::kConstantVus;
    }
  }
  out.duration = series.step_duration;
  out.series = std::move(series);
}

}  // namespace tollgate::scenario
