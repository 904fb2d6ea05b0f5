#include "harness/http/engine.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <thread>

#include <random>
#include <set>

#include "common/percent.h"
#include "common/secrets.h"
#include "common/text.h"
#include "harness/check/checks.h"
#include "harness/exec/schedule.h"
#include "harness/flow/callback_hub.h"
#include "harness/flow/render.h"
#include "harness/http/pool.h"

namespace tollgate::http {
namespace {

namespace asio = boost::asio;
using metrics::ErrorKind;
using metrics::ScenarioResult;
using metrics::SeriesPoint;
using metrics::SeriesStep;
using metrics::StepMetrics;
using metrics::StepResult;
using net::Awaitable;
using net::use_ec;
using scenario::Executor;
using std::chrono::milliseconds;
using nlohmann::json;

// A send this much after its intended time counts as late.
constexpr auto kLateTolerance = milliseconds(10);

// The request of a step; {{variables}} come from `lookup` (a step without
// any renders the same bytes every time and is prepared once).
Request render_request(const scenario::Plan& plan, const scenario::Step& step, const flow::Lookup& lookup,
                       std::string& missing) {
  // Steps built in code (tollgate hit, tests) may carry only the plain
  // fields; loaded ones carry both.
  Request r;
  r.method = step.method;
  r.target = plan.target.base_path +
             (step.path_t.parts.empty() ? step.path : flow::render(step.path_t, lookup, &missing, true));
  auto add_query = [&](const std::string& k, const std::string& v) {
    r.target += (r.target.find('?') == std::string::npos ? "?" : "&") + percent_encode(k) + "=" + percent_encode(v);
  };
  if (step.query_t.empty())
    for (const auto& [k, v] : step.query) add_query(k, v);
  for (const auto& [k, t] : step.query_t) add_query(k, flow::render(t, lookup, &missing));
  r.headers = plan.headers;
  auto add_header = [&](const std::string& k, std::string v) {
    std::erase_if(r.headers, [&](const auto& h) { return iequals(h.first, k); });
    r.headers.emplace_back(k, std::move(v));
  };
  if (step.headers_t.empty())
    for (const auto& [k, v] : step.headers) add_header(k, v);
  for (const auto& [k, t] : step.headers_t) add_header(k, flow::render(t, lookup, &missing));
  if (step.body_json)
    r.body = flow::render_body(step, lookup, &missing).dump();
  else if (step.body)
    r.body = *step.body;
  r.wire = serialize_request(r, plan.target);
  return r;
}

struct WorkerScenario {
  const scenario::Scenario* spec = nullptr;
  std::size_t index = 0;
  std::unique_ptr<ConnectionPool> pool;
  std::vector<Request> requests;
  std::vector<check::StepChecks> checks;
  std::vector<StepMetrics> steps;
  std::vector<metrics::Histogram> interval_us;  ///< per step: latency since the last sample
  int cap = 1;  ///< open model: iterations in flight at most on this worker
  int in_flight = 0;
  std::deque<asio::steady_timer*> slot_waiters;
  std::int64_t iterations = 0;
  bool loops_done = false;
  int loops_running = 0;
  std::mt19937_64 rng;
};

struct Shared;

struct Worker {
  asio::io_context ioc{1};
  std::thread thread;
  std::vector<std::unique_ptr<WorkerScenario>> scenarios;
  std::atomic<std::int64_t> requests{0}, errors{0}, in_flight{0};
  unsigned index = 0;
  Shared* shared = nullptr;
  bool closing = false;  ///< the stopper closed the pools: start no new waits
};

struct Shared {
  const scenario::Plan& plan;
  const std::atomic<int>& stop;
  Clock::time_point start;
  unsigned workers = 1;
  std::vector<std::unique_ptr<std::atomic<std::int64_t>>> iterations_left;  ///< per scenario
  std::vector<std::unique_ptr<std::atomic<std::int64_t>>> iteration_seq;    ///< per scenario: {{iteration}}, data rows
  flow::CallbackHub* callbacks = nullptr;
};

std::int64_t us(Clock::duration d) { return std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()); }

// The timings and sizes of one exchange, whatever its outcome.
void record_exchange(Worker* w, WorkerScenario* ws, std::size_t i, const Result& r, Clock::time_point intended,
                     Clock::time_point attempt) {
  StepMetrics& m = ws->steps[i];
  const auto sent = r.sent.time_since_epoch().count() ? r.sent : attempt;
  m.latency_us.record(us(r.done - intended));
  m.service_time_us.record(us(r.done - sent));
  ws->interval_us[i].record(us(r.done - intended));
  ++m.requests;
  ++w->requests;
  m.bytes_in += r.bytes_in;
  m.bytes_out += r.bytes_out;
  if (r.status >= 100 && r.status < 600) ++m.status[static_cast<std::size_t>(r.status)];
}

// Counts one check's verdict; a failure message is kept with the request's
// keys masked (worked out only when something failed).
void check_result(StepMetrics& m, std::size_t index, const std::string* failure, const Request& req) {
  auto& c = m.checks[index];
  if (failure) {
    c.fail(mask_secrets(*failure, secrets_of(req.headers)));
    ++m.checks_failed;
  } else {
    ++c.passed;
    ++m.checks_passed;
  }
}

struct PollState {
  bool met = false;
  bool timed_out = false;
  std::string last;  ///< the polled value last seen
};

// Everything a response means for its step: status and error kind, the
// unsupported verdict, stream timings, the checks, and the extracts.
// Returns false when the iteration cannot go on.
bool settle(Worker* w, WorkerScenario* ws, std::size_t i, const Request& req, const Result& r,
            Clock::time_point intended, Clock::time_point attempt, const PollState* poll,
            std::map<std::string, json>& vars) {
  StepMetrics& m = ws->steps[i];
  const auto& step = ws->spec->steps[i];
  const auto& checks = ws->checks[i];
  record_exchange(w, ws, i, r, intended, attempt);
  auto count_error = [&](ErrorKind kind) {
    ++m.errors[static_cast<std::size_t>(kind)];
    ++w->errors;
  };
  const bool has_answer = r.status > 0;
  if (r.error != ErrorKind::kNone && !has_answer) {
    count_error(r.error);
    return false;
  }
  if (checks.unsupported(r.status)) {
    // Not a failure of the step's checks: the later steps still run, those
    // that need its extracts are reported unsupported too.
    ++m.unsupported;
    if (m.unsupported_message.empty())
      m.unsupported_message = mask_secrets(
          "501 Not Implemented" + (r.body.empty() ? std::string() : ": " + r.body.substr(0, 160)),
          secrets_of(req.headers));
    return true;
  }
  // Event streams: checked and timed.
  std::optional<check::StreamReport> stream;
  if (const auto* ct = find_header(r.headers, "content-type"); ct && is_event_stream(*ct)) {
    const auto end = r.done - r.sent;
    stream = check::analyze_stream(r.body, r.marks, end, checks.stream_expectations(r.error == ErrorKind::kNone));
    if (r.status < 300) {
      auto& sm = ws->steps[i].stream.get();
      ++sm.streams;
      sm.output_tokens += stream->output_tokens;
      if (stream->tokens_from_usage) ++sm.usage_reported;
      if (stream->ttft) sm.ttft_us.record(us(*stream->ttft));
      for (const auto gap : stream->itl) sm.itl_us.record(us(gap));
      if (stream->tpot) sm.tpot_us.record(us(*stream->tpot));
      sm.e2e_us.record(us(end));
      const double secs = std::chrono::duration<double>(end).count();
      if (secs > 0 && stream->output_tokens > 0)
        sm.tokens_per_s.record(static_cast<std::int64_t>(std::llround(static_cast<double>(stream->output_tokens) / secs)));
    }
  }
  check::Response resp{r.status, &r.headers, &r.body, r.done - r.sent, stream ? &*stream : nullptr};
  const auto outcome = checks.evaluate(resp);
  ErrorKind kind = r.error;
  for (const auto index : outcome.passed) check_result(m, index, nullptr, req);
  for (const auto& [index, message] : outcome.failures) {
    check_result(m, index, &message, req);
    if (kind == ErrorKind::kNone) kind = index == 0 ? ErrorKind::kStatus : ErrorKind::kCheck;
    else if (index == 0 && kind == ErrorKind::kCheck) kind = ErrorKind::kStatus;
  }
  if (poll && checks.poll_index() != check::StepChecks::npos) {
    std::string failure;
    if (!poll->met) {
      failure = "after " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(step.poll->timeout).count()) +
                "ms " + step.poll->pointer + " is " + (poll->last.empty() ? std::string("missing") : poll->last);
      if (kind == ErrorKind::kNone) kind = ErrorKind::kCheck;
    }
    check_result(m, checks.poll_index(), poll->met ? nullptr : &failure, req);
  }
  bool go_on = kind == ErrorKind::kNone || kind == ErrorKind::kCheck;
  if (go_on && !step.extract.empty()) {
    std::string error;
    auto got = flow::extract(step.extract, r.body, r.headers, error);
    check_result(m, checks.extract_index(), error.empty() ? nullptr : &error, req);
    if (!error.empty()) {
      if (kind == ErrorKind::kNone) kind = ErrorKind::kCheck;
      go_on = false;  // later steps would render without the value
    }
    for (auto& [k, v] : got) vars[k] = std::move(v);
  }
  if (kind != ErrorKind::kNone) count_error(kind);
  return go_on;
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

Awaitable<void> wait_until(asio::io_context& ioc, Clock::time_point t) {
  asio::steady_timer timer(ioc, t);
  boost::system::error_code ec;
  co_await timer.async_wait(use_ec(ec));
}

// Sends a polled step until its condition holds or its timeout passes;
// the attempts before the last count as requests, the last is settled.
Awaitable<Result> poll_step(Worker* w, WorkerScenario* ws, std::size_t i, const Request& req, PollState& state,
                            Clock::time_point& attempt) {
  const auto& poll = *ws->spec->steps[i].poll;
  StepMetrics& m = ws->steps[i];
  if (poll.initial_delay.count() > 0)
    co_await wait_until(w->ioc, Clock::now() + std::chrono::duration_cast<Clock::duration>(poll.initial_delay));
  const auto first = Clock::now();
  const auto deadline = first + std::chrono::duration_cast<Clock::duration>(poll.timeout);
  const json::json_pointer ptr(poll.pointer);
  while (true) {
    attempt = Clock::now();
    Result r = co_await ws->pool->send(req);
    auto& fm = m.flow.get();
    ++fm.poll_requests;
    if (r.aborted || r.error != ErrorKind::kNone || ws->checks[i].unsupported(r.status)) co_return r;
    const json body = json::parse(r.body, nullptr, false);
    if (!body.is_discarded() && body.contains(ptr)) {
      const json& v = body.at(ptr);
      state.last = v.dump();
      if (std::find(poll.values.begin(), poll.values.end(), v) != poll.values.end()) {
        state.met = true;
        ++fm.polls;
        fm.poll_us.record(us(r.done - first));
        co_return r;
      }
    } else {
      state.last.clear();
    }
    const auto next = Clock::now() + std::chrono::duration_cast<Clock::duration>(poll.interval);
    if (w->shared->stop.load()) {
      r.aborted = true;  // cut by a stop: neither met nor timed out
      co_return r;
    }
    if (next > deadline) {
      state.timed_out = true;
      ++fm.polls_timed_out;
      co_return r;
    }
    // A poll that is not the last: counted and timed, not checked.
    record_exchange(w, ws, i, r, attempt, attempt);
    co_await wait_until(w->ioc, next);
  }
}

// Waits for the step's callback and checks it against the contract.
Awaitable<void> await_callback(Worker* w, WorkerScenario* ws, std::size_t i, const Request& req, const Result& r,
                               const flow::Lookup& lookup) {
  const auto& cb = *ws->spec->steps[i].callback;
  StepMetrics& m = ws->steps[i];
  const auto index = ws->checks[i].callback_index();
  std::string missing;
  const std::string value = flow::render(cb.value, lookup, &missing);
  auto& fm = m.flow.get();
  std::string failure;
  flow::CallbackHub* hub = w->shared->callbacks;
  std::optional<flow::Arrival> got;
  if (w->closing) co_return;
  if (hub && missing.empty()) got = co_await hub->wait(w->ioc.get_executor(), cb.pointer, value, cb.timeout);
  if (!got && w->shared->stop.load()) co_return;  // the run stopped: not a missed callback
  if (!missing.empty()) {
    failure = "{{" + missing + "}} has no value to match the callback by";
  } else if (!got) {
    ++fm.callbacks_missed;
    failure = "no callback with " + cb.pointer + " == \"" + value + "\" within " +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(cb.timeout).count()) + "ms";
  } else {
    ++fm.callbacks;
    fm.callback_us.record(us(got->at - r.sent));
    const auto* contract = ws->spec->contract.get();
    if (cb.contract && contract) {
      const auto* media = contract::find_media_type(cb.contract->body, got->content_type.empty() ? "application/json"
                                                                                                : got->content_type);
      std::vector<contract::Violation> found;
      if (!media) {
        failure = "callback " + cb.contract->name + ": content type '" + got->content_type + "' is not documented";
      } else if (media->schema) {
        contract->validator().validate(media->schema, got->body, contract::Direction::kRequest, found);
        for (std::size_t k = 0; k < found.size() && k < 3; ++k)
          failure += (k ? "; " : "callback " + cb.contract->name + ": ") + found[k].to_string();
      }
    }
  }
  check_result(m, index, failure.empty() ? nullptr : &failure, req);
  if (!failure.empty()) {
    ++m.errors[static_cast<std::size_t>(ErrorKind::kCheck)];
    ++w->errors;
  }
}

// One iteration: every step in order, with its variables (data row,
// extracts, built-ins). The first step's latency counts from the intended
// time; each later step's from when the previous one ended. The caller
// has counted it in flight (begin_iteration).
Awaitable<void> iteration(Worker* w, WorkerScenario* ws, Clock::time_point intended, int vu) {
  const auto& spec = *ws->spec;
  Shared& sh = *w->shared;
  std::map<std::string, json> vars;
  const std::int64_t seq = sh.iteration_seq[ws->index]->fetch_add(1);
  if (spec.data) {
    const auto n = spec.data->rows.size();
    const auto& row = spec.data->rows[spec.data->random ? ws->rng() % n : static_cast<std::size_t>(seq) % n];
    for (std::size_t c = 0; c < spec.data->columns.size(); ++c) vars[spec.data->columns[c]] = row[c];
  }
  // One pointer captured: the std::function holds it without allocating.
  struct Scope {
    std::map<std::string, json>& vars;
    std::int64_t seq;
    int vu;
    WorkerScenario* ws;
    flow::CallbackHub* callbacks;
  } scope{vars, seq, vu, ws, sh.callbacks};
  const flow::Lookup lookup = [s = &scope](const std::string& name) -> std::optional<json> {
    if (auto it = s->vars.find(name); it != s->vars.end()) return it->second;
    if (name == "iteration") return s->seq;
    if (name == "vu") return s->vu;
    if (name == "uuid") return flow::uuid4(s->ws->rng);
    if (name == "now_ms")
      return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (name == "callback_url" && s->callbacks) return s->callbacks->url();
    return std::nullopt;
  };
  for (std::size_t i = 0; i < ws->requests.size(); ++i) {
    const auto& step = spec.steps[i];
    Request rendered;
    const Request* req = &ws->requests[i];
    if (step.templated) {
      std::string missing;
      rendered = render_request(sh.plan, step, lookup, missing);
      req = &rendered;
      if (!missing.empty()) {
        // Only a step the target does not support leaves a variable unset.
        auto& m = ws->steps[i];
        ++m.unsupported;
        if (m.unsupported_message.empty())
          m.unsupported_message = "not sent: {{" + missing + "}} comes from a step the target does not support";
        continue;
      }
    }
    auto attempt = Clock::now();
    PollState poll;
    // (Not a ?: of two co_awaits: GCC 12 destroys such a temporary twice.)
    Result r;
    if (step.poll)
      r = co_await poll_step(w, ws, i, *req, poll, attempt);
    else
      r = co_await ws->pool->send(*req);
    if (r.aborted) break;  // cut by a stop: not a measurement
    if (step.poll) intended = attempt;  // a poll's latency is its last request's
    if (!settle(w, ws, i, *req, r, intended, attempt, step.poll ? &poll : nullptr, vars)) break;
    if (step.callback && !ws->checks[i].unsupported(r.status)) co_await await_callback(w, ws, i, *req, r, lookup);
    intended = Clock::now();
  }
  ++ws->iterations;
  --ws->in_flight;
  --w->in_flight;
  wake_one(ws);
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
    asio::co_spawn(w->ioc, iteration(w, ws, intended, static_cast<int>(w->index)), asio::detached);
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
    co_await iteration(w, ws, Clock::now(), global_index);
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
  w->closing = true;
  if (sh.callbacks) sh.callbacks->cancel_waits(w->ioc.get_executor());
}

}  // namespace

RunResult run_plan(const scenario::Plan& plan, const RunOptions& options, const std::atomic<int>& stop) {
  const unsigned n = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  Shared shared{plan, stop, {}, n, {}, {}, nullptr};
  for (const auto& s : plan.scenarios) {
    shared.iterations_left.push_back(std::make_unique<std::atomic<std::int64_t>>(s.iterations > 0 ? s.iterations : 0));
    shared.iteration_seq.push_back(std::make_unique<std::atomic<std::int64_t>>(0));
  }
  std::unique_ptr<flow::CallbackHub> hub;
  if (plan.uses_callbacks) {
    std::set<std::string> pointers;
    for (const auto& s : plan.scenarios)
      for (const auto& st : s.steps)
        if (st.callback) pointers.insert(st.callback->pointer);
    hub = std::make_unique<flow::CallbackHub>(plan.callback_listen, plan.callback_public_url, pointers);
    hub->start();
    shared.callbacks = hub.get();
  }

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
      ws->rng.seed(0x5eed'0000ULL + si * 977 + i);
      for (const auto& step : spec.steps) {
        std::string missing;
        ws->requests.push_back(render_request(plan, step, [](const std::string&) { return std::nullopt; }, missing));
        ws->checks.emplace_back(step, spec.contract.get());
      }
      ws->steps.resize(spec.steps.size());
      ws->interval_us.resize(spec.steps.size());
      for (std::size_t k = 0; k < spec.steps.size(); ++k)
        for (const auto& name : ws->checks[k].names()) {
          metrics::CheckStat stat;
          stat.name = name;
          ws->steps[k].checks.push_back(std::move(stat));
        }
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

  // Once a second: each worker's interval histograms and counts, taken on
  // its own thread, make a point of the time series, the interval log and
  // the progress line.
  double planned_s = 0;
  for (const auto& s : plan.scenarios)
    planned_s = std::max(planned_s, std::chrono::duration<double>(s.planned_duration()).count());
  std::size_t flat = 0;
  for (const auto& s : plan.scenarios) flat += s.steps.size();
  std::vector<metrics::Histogram> interval(flat);
  std::vector<std::int64_t> last_requests(flat, 0), last_errors(flat, 0), now_requests(flat), now_errors(flat);
  std::int64_t last_total = 0;
  auto last_tick = Clock::now();
  auto workers_done = [&] {
    for (auto& w : workers)
      if (!w->ioc.stopped()) return false;
    return true;
  };
  // Moves a worker's interval data into `interval` (on its thread, or here
  // once it has stopped) and adds its running counts.
  auto take = [&](Worker* w) {
    std::size_t k = 0;
    for (auto& ws : w->scenarios)
      for (std::size_t i = 0; i < ws->steps.size(); ++i, ++k) {
        interval[k].add(ws->interval_us[i]);
        ws->interval_us[i].reset();
        now_requests[k] += ws->steps[i].requests;
        now_errors[k] += ws->steps[i].error_count();
      }
  };
  bool carry = false;  // an aborted sample took some workers' intervals already: keep them
  auto sample = [&](bool final) {
    if (!carry)
      for (auto& h : interval) h.reset();
    carry = false;
    std::fill(now_requests.begin(), now_requests.end(), 0);
    std::fill(now_errors.begin(), now_errors.end(), 0);
    Progress p;
    for (auto& w : workers) {
      if (final) {
        take(w.get());
      } else {
        std::promise<void> copied;
        auto done = copied.get_future();
        asio::post(w->ioc, [&, w = w.get()] {
          take(w);
          copied.set_value();
        });
        // A worker that stops before it runs the copy is read after the join.
        while (done.wait_for(milliseconds(20)) != std::future_status::ready)
          if (w->ioc.stopped()) {
            carry = true;
            return false;
          }
      }
      p.requests += w->requests.load();
      p.errors += w->errors.load();
      p.in_flight += w->in_flight.load();
    }
    const auto now = Clock::now();
    SeriesPoint point;
    point.t_s = std::chrono::duration<double>(now - shared.start).count();
    point.length_s = std::chrono::duration<double>(now - last_tick).count();
    point.in_flight = p.in_flight;
    metrics::Histogram all;
    IntervalHistograms ih;
    ih.run_start_unix_ms = result.start_unix_ms;
    ih.start_s = std::max(0.0, std::chrono::duration<double>(last_tick - shared.start).count());
    ih.end_s = point.t_s;
    for (std::size_t k = 0; k < flat; ++k) {
      const auto& h = interval[k];
      all.add(h);
      ih.steps.push_back(&h);
      SeriesStep st;
      st.requests = now_requests[k] - last_requests[k];
      st.errors = now_errors[k] - last_errors[k];
      ih.requests.push_back(st.requests);
      ih.errors.push_back(st.errors);
      st.p50_ms = static_cast<double>(h.value_at_percentile(50)) / 1000.0;
      st.p90_ms = static_cast<double>(h.value_at_percentile(90)) / 1000.0;
      st.p99_ms = static_cast<double>(h.value_at_percentile(99)) / 1000.0;
      st.max_ms = static_cast<double>(h.max()) / 1000.0;
      point.steps.push_back(st);
    }
    ih.in_flight = p.in_flight;
    last_requests = now_requests;
    last_errors = now_errors;
    if (point.length_s > 0.001) {
      result.series.push_back(std::move(point));
      if (options.on_interval) options.on_interval(ih);
    }
    if (!final && options.on_progress) {
      p.elapsed_s = std::chrono::duration<double>(now - shared.start).count();
      p.planned_s = planned_s;
      p.rps = static_cast<double>(p.requests - last_total) / std::chrono::duration<double>(now - last_tick).count();
      p.p50_ms = static_cast<double>(all.value_at_percentile(50)) / 1000.0;
      p.p99_ms = static_cast<double>(all.value_at_percentile(99)) / 1000.0;
      options.on_progress(p);
    }
    last_total = p.requests;
    last_tick = now;
    return true;
  };
  while (!workers_done()) {
    const auto next = last_tick + std::chrono::seconds(1);
    // Wake every 20 ms to notice the end; sample once a second.
    while (Clock::now() < next && !workers_done()) std::this_thread::sleep_for(milliseconds(20));
    if (workers_done() || !sample(false)) break;
  }
  for (auto& w : workers) w->thread.join();
  sample(true);  // the last part-second
  if (hub) {
    hub->stop();
    result.callbacks_received = hub->received();
    result.callbacks_unmatched = hub->unmatched();
  }
  result.end_unix_ms = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  result.duration_s = std::chrono::duration<double>(Clock::now() - shared.start).count();
  result.interrupted = stop.load() != 0;

  for (std::size_t si = 0; si < plan.scenarios.size(); ++si) {
    const auto& spec = plan.scenarios[si];
    ScenarioResult sr;
    sr.name = spec.name;
    sr.executor = scenario::executor_name(spec.executor);
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
