#include "harness/http/worker.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/secrets.h"
#include "harness/exec/closed_model.h"

namespace tollgate::http {

namespace asio = boost::asio;
using scenario::Executor;

namespace {

// Every VU a closed-model scenario has at most.
int total_vus(const scenario::Scenario& spec) {
  int n = spec.vus;
  for (const auto& st : spec.stages) n = std::max(n, static_cast<int>(std::ceil(st.target)));
  return n;
}

// How long a scenario may run: its plan, or ten minutes for an iterations
// executor without one.
Clock::Duration planned(const scenario::Scenario& spec) {
  const auto p = spec.planned_duration().count() > 0 ? spec.planned_duration() : std::chrono::minutes(10);
  return std::chrono::duration_cast<Clock::Duration>(p);
}

}  // namespace

exec::Segment scenario_segment(const scenario::Plan& plan, const scenario::Scenario& spec) {
  if (scenario::is_open_model(spec.executor)) return plan.segment;
  return plan.segment.over(std::max(1, total_vus(spec)));
}

Worker::Worker(RunShared& shared, unsigned index) : shared_(shared), index_(index), timers_(ioc_, shared.clock) {
  std::size_t flat = 0;
  for (std::size_t si = 0; si < shared_.plan.scenarios.size(); ++si) {
    add_scenario(shared_.plan.scenarios[si], si, flat);
    flat += shared_.plan.scenarios[si].steps.size();
  }
  interval_ = exec::IntervalData(flat);
  ticked_requests_.assign(flat, 0);
  ticked_errors_.assign(flat, 0);
  ticked_.assign(flat, {});
}

Worker::~Worker() { join(); }

void Worker::add_scenario(const scenario::Scenario& spec, std::size_t index, std::size_t first_step) {
  const int n = static_cast<int>(shared_.workers), i = static_cast<int>(index_);
  auto s = std::make_unique<ScenarioRun>();
  s->spec = &spec;
  s->index = index;
  s->first_step = first_step;
  s->segment = scenario_segment(shared_.plan, spec);
  const bool open = scenario::is_open_model(spec.executor);
  const int conns = spec.connections > 0 ? spec.connections
                    : open               ? (spec.max_in_flight > 0 ? spec.max_in_flight : 100)
                                         : std::max(1, total_vus(spec));
  const int in_flight = spec.max_in_flight > 0 ? spec.max_in_flight : conns;
  // This worker's share of a total (of this segment's share of it): the
  // totals split as evenly as they go.
  const auto share = [&](int total) {
    const int mine = std::max(1, static_cast<int>(shared_.plan.segment.share(total)));
    return std::max(1, (mine + n - 1 - i) / n);
  };
  const auto& plan = shared_.plan;
  s->pool = std::make_unique<ConnectionPool>(ioc_, PoolOptions{plan.target, plan.timeouts, plan.tls, plan.max_body,
                                                               plan.max_event, share(conns)},
                                             shared_.clock);
  // Each worker of each segment draws its own random values ({{uuid}},
  // random rows, lengths): segments must not send copies of each other's.
  std::seed_seq seed{std::uint64_t{0x5eed}, std::uint64_t{index}, std::uint64_t{shared_.plan.segment.index},
                     std::uint64_t{index_}};
  s->rng.seed(seed);
  for (const auto& step : spec.steps) {
    std::string missing;
    s->requests.push_back(render_request(plan, step, [](const std::string&) { return std::nullopt; }, missing));
    s->secrets.push_back(secrets_of(s->requests.back().headers));
    s->checks.emplace_back(step, spec.contract.get());
  }
  s->steps.resize(spec.steps.size());
  for (std::size_t k = 0; k < spec.steps.size(); ++k)
    for (const auto& name : s->checks[k].names()) s->steps[k].checks.push_back({name, 0, 0, {}});
  s->executor = make_executor(*s, total_vus(spec), share(in_flight));
  for (int slot = 0; slot < s->executor->slots(); ++slot) s->runners.push_back(std::make_unique<Runner>(ioc_));
  scenarios_.push_back(std::move(s));
}

std::unique_ptr<exec::Executor> Worker::make_executor(ScenarioRun& s, int vus, int cap) {
  const auto& spec = *s.spec;
  ScenarioRun* run = &s;
  auto start_iteration = [this, run](const exec::IterationStart& start) {
    Runner& r = *run->runners[static_cast<std::size_t>(start.slot)];
    r.pending = start;
    if (r.waiting) r.wake.cancel();
  };
  if (scenario::is_open_model(spec.executor)) {
    exec::ArrivalSchedule schedule(spec.rate_stages(), spec.poisson, 0x7011'6a7eULL + s.index,
                                   exec::Stripe::of(shared_.plan.segment, index_, shared_.workers));
    if (spec.burstiness > 0) schedule.set_gamma(spec.burstiness);
    auto open = std::make_unique<exec::OpenModel>(std::move(schedule), shared_.start, shared_.start + planned(spec),
                                                  cap, static_cast<int>(index_), timers_, start_iteration);
    s.open = open.get();
    return open;
  }
  exec::ClosedModel::Options o;
  // VU g runs in segment g mod N, and there on worker (g / N) mod workers:
  // the same VU numbers, and the same ramp, as the single run.
  o.vus = exec::Stripe::of(shared_.plan.segment, index_, shared_.workers).items(vus);
  o.start = shared_.start;
  o.end = shared_.start + planned(spec);
  if (spec.executor == Executor::kRampingVus) {
    std::vector<std::pair<exec::Duration, double>> stages;
    for (const auto& st : spec.stages) stages.emplace_back(std::chrono::duration_cast<exec::Duration>(st.duration), st.target);
    o.ramp.emplace(spec.vus, std::move(stages));
  }
  if (spec.executor == Executor::kIterations || spec.iterations > 0) o.budget = shared_.iterations_left[s.index].get();
  o.think_time = std::chrono::duration_cast<exec::Duration>(spec.think_time);
  return std::make_unique<exec::ClosedModel>(std::move(o), timers_, start_iteration);
}

void Worker::start() {
  thread_ = std::thread([this] {
    timers_.at(shared_.start, [this] { begin(); });
    await_start();
    ioc_.run();
    tick(ticker_ ? ticker_->tick_of(shared_.clock.now()) : 1, true);
    flush_requests();
  });
}

// Until a distant start (--start-at), a stop is watched for: it drops the
// start, so the run ends at once with nothing sent.
void Worker::await_start() {
  const auto next = shared_.clock.now() + std::chrono::milliseconds(100);
  if (next >= shared_.start) return;
  timers_.at(next, [this] {
    if (shared_.stop.load() != 0) return timers_.clear();
    await_start();
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::begin() {
  for (auto& s : scenarios_) {
    for (int slot = 0; slot < s->executor->slots(); ++slot) asio::co_spawn(ioc_, run_slot(*s, slot), asio::detached);
    s->executor->begin();
  }
  exec::Stopper::Options so;
  so.start = shared_.start;
  for (const auto& s : scenarios_) {
    so.longest = std::max(so.longest, planned(*s->spec));
    so.grace = std::max(so.grace, std::chrono::duration_cast<exec::Duration>(s->spec->graceful_stop));
  }
  stopper_ = std::make_unique<exec::Stopper>(timers_, shared_.stop, so,
                                             exec::Stopper::Hooks{[this] { return busy(); },
                                                                  [this] { stop_starting(); }, [this] { close(); }});
  stopper_->begin();
  ticker_ = std::make_unique<exec::IntervalTicker>(timers_, shared_.start, std::chrono::seconds(1),
                                                   [this](std::int64_t k) { tick(k, false); });
  ticker_->begin();
}

bool Worker::busy() const {
  return std::any_of(scenarios_.begin(), scenarios_.end(),
                     [](const auto& s) { return s->executor->running() || s->executor->in_flight() > 0; });
}

void Worker::stop_starting() {
  for (auto& s : scenarios_) s->executor->stop();
}

// The end: connections closed under what is left (those requests end as
// aborted), every wait and timer ended, so the io_context runs dry.
void Worker::close() {
  closing_ = true;
  if (ticker_) ticker_->stop();
  timers_.clear();
  for (auto& s : scenarios_) {
    s->pool->close_all();
    for (auto& r : s->runners) {
      r->wake.cancel();
      r->sleep.cancel();
    }
  }
}

// Hands this worker's figures since the last tick to the sampler.
void Worker::tick(std::int64_t k, bool last) {
  exec::IntervalData data = std::exchange(interval_, exec::IntervalData(interval_.requests.size()));
  for (const auto& s : scenarios_) {
    data.in_flight += s->executor->in_flight();
    for (std::size_t i = 0; i < s->steps.size(); ++i) {
      const std::size_t f = s->first_step + i;
      const auto& m = s->steps[i];
      data.requests[f] = m.requests - ticked_requests_[f];
      data.errors[f] = m.error_count() - ticked_errors_[f];
      ticked_requests_[f] = m.requests;
      ticked_errors_[f] = m.error_count();
      auto& seen = ticked_[f];
      for (std::size_t e = 0; e < m.errors.size(); ++e) data.error_kinds[f][e] = m.errors[e] - seen.error_kinds[e];
      data.checks_passed[f] = m.checks_passed - seen.checks_passed;
      data.checks_failed[f] = m.checks_failed - seen.checks_failed;
      seen = {m.errors, m.checks_passed, m.checks_failed};
    }
  }
  const double at = std::chrono::duration<double>(shared_.clock.now() - shared_.start).count();
  shared_.sampler->deliver(static_cast<int>(index_), k, std::move(data), last, std::max(0.0, at));
}

}  // namespace tollgate::http
