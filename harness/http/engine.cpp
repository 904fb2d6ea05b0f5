#include "harness/http/engine.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <thread>

#include "harness/exec/schedule.h"
#include "harness/http/pool.h"

namespace tollgate::http {
namespace {

namespace asio = boost::asio;
using metrics::ErrorKind;
using metrics::StepMetrics;
using net::Awaitable;
using net::use_ec;
using scenario::Executor;
using std::chrono::milliseconds;

// A send this much after its intended time counts as late.
constexpr auto kLateTolerance = milliseconds(10);

std::string percent_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Request prepare(const scenario::Plan& plan, const scenario::Step& step) {
  Request r;
  r.method = step.method;
  r.target = plan.target.base_path + step.path;
  for (std::size_t i = 0; i < step.query.size(); ++i)
    r.target += (i == 0 ? "?" : "&") + percent_encode(step.query[i].first) + "=" + percent_encode(step.query[i].second);
  r.headers = plan.headers;
  for (const auto& [k, v] : step.headers) {
    std::erase_if(r.headers, [&](const auto& h) { return strcasecmp(h.first.c_str(), k.c_str()) == 0; });
    r.headers.emplace_back(k, v);
  }
  if (step.body) r.body = *step.body;
  r.wire = serialize_request(r, plan.target);
  return r;
}

struct WorkerScenario {
  const scenario::Scenario* spec = nullptr;
  std::size_t index = 0;
  std::unique_ptr<ConnectionPool> pool;
  std::vector<Request> requests;
  std::vector<StepMetrics> steps;
  int cap = 1;  ///< open model: iterations in flight at most on this worker
  int in_flight = 0;
  std::deque<asio::steady_timer*> slot_waiters;
  std::int64_t iterations = 0;
  bool loops_done = false;
  int loops_running = 0;
};

struct Shared;

struct Worker {
  asio::io_context ioc{1};
  std::thread thread;
  std::vector<std::unique_ptr<WorkerScenario>> scenarios;
  metrics::Histogram interval_latency_us;
  std::atomic<std::int64_t> requests{0}, errors{0}, in_flight{0};
  unsigned index = 0;
  Shared* shared = nullptr;
};

struct Shared {
  const scenario::Plan& plan;
  const std::atomic<int>& stop;
  Clock::time_point start;
  unsigned workers = 1;
  std::vector<std::unique_ptr<std::atomic<std::int64_t>>> iterations_left;  ///< per scenario
};

void record(Worker* w, WorkerScenario* ws, std::size_t step_index, const Result& r, Clock::time_point intended,
            Clock::time_point attempt) {
  StepMetrics& m = ws->steps[step_index];
  const auto& step = ws->spec->steps[step_index];
  const auto sent = r.sent.time_since_epoch().count() ? r.sent : attempt;
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(r.done - intended).count();
  const auto service = std::chrono::duration_cast<std::chrono::microseconds>(r.done - sent).count();
  m.latency_us.record(std::max<std::int64_t>(0, latency));
  m.service_time_us.record(std::max<std::int64_t>(0, service));
  w->interval_latency_us.record(std::max<std::int64_t>(0, latency));
  ++m.requests;
  m.bytes_in += r.bytes_in;
  m.bytes_out += r.bytes_out;
  ErrorKind kind = r.error;
  if (kind == ErrorKind::kNone) {
    if (r.status >= 100 && r.status < 600) ++m.status[static_cast<std::size_t>(r.status)];
    const bool expected = step.expect_status.empty()
                              ? r.status < 400
                              : std::find(step.expect_status.begin(), step.expect_status.end(), r.status) !=
                                    step.expect_status.end();
    if (!expected) kind = ErrorKind::kStatus;
  }
  if (kind != ErrorKind::kNone) {
    ++m.errors[static_cast<std::size_t>(kind)];
    ++w->errors;
  }
  ++w->requests;
}

void wake_one(WorkerScenario* ws) {
  if (ws->slot_waiters.empty()) return;
  ws->slot_waiters.front()->cancel();
  ws->slot_waiters.pop_front();
}

// Counts an iteration in flight from the moment it is decided, before its
// coroutine first runs, so that the stopper never sees a gap.
void begin_iteration(Worker* w, WorkerScenario* ws) {
  ++ws->in_flight;
  ++w->in_flight;
}

// One iteration: every step in order. The first step's latency counts from
// the intended time; each later step's from when the previous one ended.
// The caller has counted it in flight (begin_iteration).
Awaitable<void> iteration(Worker* w, WorkerScenario* ws, Clock::time_point intended) {
  for (std::size_t i = 0; i < ws->requests.size(); ++i) {
    const auto attempt = Clock::now();
    const Result r = co_await ws->pool->send(ws->requests[i]);
    if (r.aborted) break;  // cut by a stop: not a measurement
    record(w, ws, i, r, intended, attempt);
    if (r.error != ErrorKind::kNone) break;
    intended = r.done;
  }
  ++ws->iterations;
  --ws->in_flight;
  --w->in_flight;
  wake_one(ws);
}

Awaitable<void> wait_until(asio::io_context& ioc, Clock::time_point t) {
  asio::steady_timer timer(ioc, t);
  boost::system::error_code ec;
  co_await timer.async_wait(use_ec(ec));
}

// Open model: send at the intended times whatever the responses do. When
// the in-flight cap holds the schedule back the sends are late (and their
// latency includes the wait); what cannot be sent before the end is missed.
Awaitable<void> open_loop(Worker* w, WorkerScenario* ws) {
  Shared& sh = *w->shared;
  const auto& spec = *ws->spec;
  exec::ArrivalSchedule schedule(spec.rate_stages(), spec.poisson, 0x7011'6a7eULL + ws->index, w->index, sh.workers);
  const auto end = sh.start + std::chrono::duration_cast<Clock::duration>(spec.planned_duration());
  StepMetrics& first = ws->steps.front();
  ++ws->loops_running;
  while (auto offset = schedule.next()) {
    if (sh.stop.load()) break;
    const auto intended = sh.start + std::chrono::duration_cast<Clock::duration>(*offset);
    if (intended > Clock::now()) co_await wait_until(w->ioc, intended);
    bool held = false;
    while (ws->in_flight >= ws->cap && Clock::now() < end && !sh.stop.load()) {
      held = true;
      asio::steady_timer slot(w->ioc, end);
      ws->slot_waiters.push_back(&slot);
      boost::system::error_code ec;
      co_await slot.async_wait(use_ec(ec));
      std::erase(ws->slot_waiters, &slot);
    }
    if (sh.stop.load()) break;
    if (ws->in_flight >= ws->cap) {
      // Held back until the end: this arrival and every one still ahead
      // are missed. (A dispatcher that merely woke late still sends: late.)
      ++first.missed;
      while (schedule.next()) ++first.missed;
      break;
    }
    if (held || Clock::now() - intended > kLateTolerance) ++first.late;
    begin_iteration(w, ws);
    asio::co_spawn(w->ioc, iteration(w, ws, intended), asio::detached);
  }
  --ws->loops_running;
}

// Target VUs of a ramping-vus scenario at offset t (linear within stages).
double target_vus(const scenario::Scenario& s, Clock::duration t) {
  double from = s.vus;
  for (const auto& st : s.stages) {
    const auto d = std::chrono::duration_cast<Clock::duration>(st.duration);
    if (t < d) return from + (st.target - from) * std::chrono::duration<double>(t) / std::chrono::duration<double>(d);
    t -= d;
    from = st.target;
  }
  return from;
}

// Closed model: a virtual user loops over the steps until the end, the
// iteration budget or a stop; a ramping VU beyond the current target idles.
Awaitable<void> vu_loop(Worker* w, WorkerScenario* ws, int global_index) {
  Shared& sh = *w->shared;
  const auto& spec = *ws->spec;
  const auto planned = spec.planned_duration().count() > 0 ? spec.planned_duration() : std::chrono::minutes(10);
  const auto end = sh.start + std::chrono::duration_cast<Clock::duration>(planned);
  auto& budget = *sh.iterations_left[ws->index];
  const bool counted = spec.executor == Executor::kIterations || spec.iterations > 0;
  ++ws->loops_running;
  while (!sh.stop.load() && Clock::now() < end) {
    if (spec.executor == Executor::kRampingVus && global_index >= target_vus(spec, Clock::now() - sh.start)) {
      co_await wait_until(w->ioc, std::min(end, Clock::now() + milliseconds(50)));
      continue;
    }
    if (counted && budget.fetch_sub(1) <= 0) break;
    begin_iteration(w, ws);
    co_await iteration(w, ws, Clock::now());
    if (spec.think_time.count() > 0)
      co_await wait_until(w->ioc, Clock::now() + std::chrono::duration_cast<Clock::duration>(spec.think_time));
  }
  --ws->loops_running;
}

// Ends the worker: once the loops are done and nothing is in flight, or at
// the graceful-stop bound, when the pools are closed under what is left.
Awaitable<void> stopper(Worker* w) {
  Shared& sh = *w->shared;
  Clock::duration longest{0};
  for (const auto& ws : w->scenarios)
    longest = std::max(longest, std::chrono::duration_cast<Clock::duration>(ws->spec->planned_duration().count() > 0
                                                                               ? ws->spec->planned_duration()
                                                                               : std::chrono::minutes(10)));
  Clock::duration grace{0};
  for (const auto& ws : w->scenarios)
    grace = std::max(grace, std::chrono::duration_cast<Clock::duration>(ws->spec->graceful_stop));
  std::optional<Clock::time_point> stop_seen;
  while (true) {
    co_await wait_until(w->ioc, Clock::now() + milliseconds(20));
    bool loops = false;
    for (const auto& ws : w->scenarios) loops = loops || ws->loops_running > 0;
    if (!loops && w->in_flight == 0) break;
    const int stop = sh.stop.load();
    if (stop && !stop_seen) stop_seen = Clock::now();
    const bool past_grace = (stop == 1 && Clock::now() > *stop_seen + grace) ||
                            Clock::now() > sh.start + longest + grace;
    if (stop == 2 || past_grace) break;
  }
  for (auto& ws : w->scenarios) {
    ws->pool->close_all();
    while (!ws->slot_waiters.empty()) wake_one(ws.get());
  }
}

}  // namespace

metrics::StepMetrics ScenarioResult::total() const {
  StepMetrics t;
  for (const auto& s : steps) t.add(s.metrics);
  return t;
}

RunResult run_plan(const scenario::Plan& plan, const RunOptions& options, const std::atomic<int>& stop) {
  const unsigned n = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  Shared shared{plan, stop, {}, n, {}};
  for (const auto& s : plan.scenarios)
    shared.iterations_left.push_back(std::make_unique<std::atomic<std::int64_t>>(s.iterations > 0 ? s.iterations : 0));

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    w->shared = &shared;
    for (std::size_t si = 0; si < plan.scenarios.size(); ++si) {
      const auto& spec = plan.scenarios[si];
      auto ws = std::make_unique<WorkerScenario>();
      ws->spec = &spec;
      ws->index = si;
      int total_vus = spec.vus;
      for (const auto& st : spec.stages) total_vus = std::max(total_vus, static_cast<int>(std::ceil(st.target)));
      const int conns = spec.connections > 0 ? spec.connections
                        : scenario::is_open_model(spec.executor) ? (spec.max_in_flight > 0 ? spec.max_in_flight : 100)
                                                                 : std::max(1, total_vus);
      const int in_flight = spec.max_in_flight > 0 ? spec.max_in_flight : conns;
      const auto share = [&](int total) { return std::max(1, (total + static_cast<int>(n) - 1 - static_cast<int>(i)) / static_cast<int>(n)); };
      ws->cap = share(in_flight);
      PoolOptions po{plan.target, plan.timeouts, plan.tls, plan.max_body, share(conns)};
      ws->pool = std::make_unique<ConnectionPool>(w->ioc, po);
      for (const auto& step : spec.steps) ws->requests.push_back(prepare(plan, step));
      ws->steps.resize(spec.steps.size());
      w->scenarios.push_back(std::move(ws));
    }
    workers.push_back(std::move(w));
  }

  RunResult result;
  result.start_unix_ms = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  shared.start = Clock::now() + milliseconds(5);  // every worker starts from the same instant
  for (auto& wp : workers) {
    Worker* w = wp.get();
    for (auto& ws : w->scenarios) {
      const auto& spec = *ws->spec;
      if (scenario::is_open_model(spec.executor)) {
        asio::co_spawn(w->ioc, open_loop(w, ws.get()), asio::detached);
      } else {
        int total_vus = spec.vus;
        for (const auto& st : spec.stages) total_vus = std::max(total_vus, static_cast<int>(std::ceil(st.target)));
        for (int g = static_cast<int>(w->index); g < total_vus; g += static_cast<int>(n))
          asio::co_spawn(w->ioc, vu_loop(w, ws.get(), g), asio::detached);
      }
    }
    asio::co_spawn(w->ioc, stopper(w), asio::detached);
    w->thread = std::thread([w] { w->ioc.run(); });
  }

  // Progress about once a second, merged on each worker's own thread.
  double planned_s = 0;
  for (const auto& s : plan.scenarios)
    planned_s = std::max(planned_s, std::chrono::duration<double>(s.planned_duration()).count());
  std::int64_t last_requests = 0;
  auto last_tick = Clock::now();
  auto workers_done = [&] {
    for (auto& w : workers)
      if (!w->ioc.stopped()) return false;
    return true;
  };
  while (!workers_done()) {
    const auto next = last_tick + std::chrono::seconds(1);
    // Wake every 20 ms to notice the end; report once a second.
    while (Clock::now() < next && !workers_done()) std::this_thread::sleep_for(milliseconds(20));
    if (!options.on_progress) {
      last_tick = next;
      continue;
    }
    if (workers_done()) continue;
    metrics::Histogram interval;
    Progress p;
    for (auto& w : workers) {
      std::promise<void> copied;
      auto done = copied.get_future();
      asio::post(w->ioc, [&, w = w.get()] {
        interval.add(w->interval_latency_us);
        w->interval_latency_us.reset();
        copied.set_value();
      });
      if (done.wait_for(milliseconds(500)) != std::future_status::ready) {
        // The worker is finishing; its numbers come with the result.
        done.wait();
      }
      p.requests += w->requests.load();
      p.errors += w->errors.load();
      p.in_flight += w->in_flight.load();
    }
    const auto now = Clock::now();
    p.elapsed_s = std::chrono::duration<double>(now - shared.start).count();
    p.planned_s = planned_s;
    p.rps = static_cast<double>(p.requests - last_requests) / std::chrono::duration<double>(now - last_tick).count();
    p.p50_ms = static_cast<double>(interval.value_at_percentile(50)) / 1000.0;
    p.p99_ms = static_cast<double>(interval.value_at_percentile(99)) / 1000.0;
    last_requests = p.requests;
    last_tick = now;
    options.on_progress(p);
  }
  for (auto& w : workers) w->thread.join();
  result.end_unix_ms = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  result.duration_s = std::chrono::duration<double>(Clock::now() - shared.start).count();
  result.interrupted = stop.load() != 0;

  for (std::size_t si = 0; si < plan.scenarios.size(); ++si) {
    const auto& spec = plan.scenarios[si];
    ScenarioResult sr;
    sr.name = spec.name;
    sr.executor = spec.executor;
    sr.target_rps = spec.target_rps();
    sr.duration_s = std::min(result.duration_s, std::chrono::duration<double>(spec.planned_duration()).count() > 0
                                                    ? std::chrono::duration<double>(spec.planned_duration()).count()
                                                    : result.duration_s);
    if (result.interrupted) sr.duration_s = std::min(sr.duration_s, result.duration_s);
    for (std::size_t k = 0; k < spec.steps.size(); ++k) {
      StepResult step;
      step.name = spec.steps[k].name;
      step.operation = spec.steps[k].operation;
      step.method = spec.steps[k].method;
      step.path = spec.steps[k].path;
      for (auto& w : workers) step.metrics.add(w->scenarios[si]->steps[k]);
      sr.steps.push_back(std::move(step));
    }
    for (auto& w : workers) {
      sr.iterations += w->scenarios[si]->iterations;
      result.connections_opened += w->scenarios[si]->pool->connections_opened();
    }
    result.scenarios.push_back(std::move(sr));
  }
  return result;
}

}  // namespace tollgate::http
