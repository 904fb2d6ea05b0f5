// The iteration itself: every step of a scenario in order, rendered with the
// iteration's variables, sent, judged (check/verdict.h) and counted; polls
// and callback waits. Part of Worker.
#include <boost/asio/post.hpp>

#include "common/secrets.h"
#include "harness/flow/builtins.h"
#include "harness/flow/poll.h"
#include "harness/flow/workload.h"
#include "harness/check/goodput.h"
#include "harness/http/worker.h"

namespace tollgate::http {

namespace asio = boost::asio;
using boost::system::error_code;
using metrics::ErrorKind;
using net::Awaitable;
using net::use_ec;
using nlohmann::json;

// A runner waits for the iterations its executor starts in its slot and
// runs them; it ends when the worker closes.
Task<void> Worker::run_slot(ScenarioRun& s, int slot) {
  Runner& r = *s.runners[static_cast<std::size_t>(slot)];
  while (!closing_) {
    if (!r.pending) {
      r.waiting = true;
      r.wake.expires_at(Clock::TimePoint::max());
      error_code ec;
      co_await r.wake.async_wait(on_ec(ec));
      r.waiting = false;
      continue;
    }
    const exec::IterationStart start = *r.pending;
    r.pending.reset();
    co_await iteration(s, r, start);
    s.executor->done(slot);  // the closed model starts the next one here
  }
}

// Every step in order. The first step's latency counts from the intended
// time; each later step's from when the previous one ended.
Task<void> Worker::iteration(ScenarioRun& s, Runner& r, exec::IterationStart start) {
  const auto& spec = *s.spec;
  std::map<std::string, json> vars;
  // Its number in the whole run: the open model's arrival number, else the
  // next of this segment's, numbered as the single run would (segment.h).
  // A probe's groups (iteration_groups) go by the order of starts, so that
  // every case is sent once the starts reach their number.
  const bool arrival_number = start.iteration >= 0 && spec.iteration_groups.empty();
  const std::int64_t seq =
      arrival_number ? start.iteration : s.segment.global(shared_.iteration_seq[s.index]->fetch_add(1));
  if (spec.data) {
    const auto n = spec.data->rows.size();
    const auto& row = spec.data->rows[spec.data->random ? s.rng() % n : static_cast<std::size_t>(seq) % n];
    for (std::size_t c = 0; c < spec.data->columns.size(); ++c) vars[spec.data->columns[c]] = row[c];
  }
  const std::string* callback_url = shared_.callbacks ? &shared_.callbacks->url() : nullptr;
  const flow::BuiltinContext builtins{seq, start.vu, &s.rng, &shared_.clock, callback_url};
  struct Scope {  // one pointer captured: the std::function holds it without allocating
    std::map<std::string, json>& vars;
    const flow::BuiltinContext& builtins;
  } scope{vars, builtins};
  const flow::Lookup lookup = [c = &scope](const std::string& name) -> std::optional<json> {
    if (auto it = c->vars.find(name); it != c->vars.end()) return it->second;
    return flow::builtin(name, c->builtins);
  };
  Clock::TimePoint intended = start.intended;
  std::size_t first = 0, end = spec.steps.size();
  if (const auto& groups = spec.iteration_groups; !groups.empty()) {
    const std::size_t g = static_cast<std::size_t>(seq) % groups.size();
    first = groups[g];
    end = g + 1 < groups.size() ? groups[g + 1] : spec.steps.size();
  }
  // An LLM workload: its lengths drawn, and a conversation's turns (its
  // step once a turn, as many as the conversation has).
  const scenario::Conversation* conversation = nullptr;
  std::vector<std::string> answers;
  if (spec.workload) {
    const auto& w = *spec.workload;
    if (w.prompt_tokens) {
      const auto n = flow::draw_length(*w.prompt_tokens, s.rng);
      vars["prompt"] = flow::synthetic_prompt(n, s.rng);
      vars["prompt_tokens"] = n;
    }
    if (w.max_tokens) vars["max_tokens"] = flow::draw_length(*w.max_tokens, s.rng);
    if (!w.conversations.empty()) {
      const auto n = w.conversations.size();
      conversation = &w.conversations[w.random ? s.rng() % n : static_cast<std::size_t>(seq) % n];
      end = std::min(end, first + conversation->turns.size());
    }
  }
  for (std::size_t i = first; i < end; ++i) {
    const auto& step = spec.steps[i];
    if (conversation) {
      const std::size_t turn = i - first;
      if (turn > 0 && spec.workload->think_time.count() > 0) {
        co_await sleep_until(r, shared_.clock.now() + std::chrono::duration_cast<Clock::Duration>(spec.workload->think_time));
        if (closing_ || shared_.stop.load()) break;
        intended = shared_.clock.now();  // the next turn is due once its user has thought
      }
      answers.resize(turn);  // a turn that gave no answer (unsupported, not sent) has an empty one
      vars["messages"] = flow::turn_messages(*conversation, turn, answers);
      vars["turn"] = static_cast<std::int64_t>(turn + 1);
    }
    Request rendered;
    const Request* req = &s.requests[i];
    const std::vector<std::string>* secrets = &s.secrets[i];
    std::vector<std::string> rendered_secrets;
    if (step.templated) {
      std::string missing;
      rendered = render_request(shared_.plan, step, lookup, missing);
      req = &rendered;
      if (!missing.empty()) {
        // Only a step the target does not support leaves a variable unset.
        auto& m = s.steps[i];
        ++m.unsupported;
        if (m.unsupported_message.empty())
          m.unsupported_message = "not sent: {{" + missing + "}} comes from a step the target does not support";
        continue;
      }
      rendered_secrets = secrets_of(rendered.headers);
      secrets = &rendered_secrets;
    }
    check::PollOutcome poll;
    const Reading reading{s.checks[i].body_kept(), s.checks[i].stream_body_kept(), &s.checks[i].stream_expectations()};
    if (step.poll)
      co_await poll_step(s, r, i, seq, *req, reading, poll);
    else
      co_await s.pool->send(*req, r.response, reading);
    if (r.response.aborted) {  // cut off by the run's end: counted, not timed, not judged
      s.steps[i].record_aborted(r.response.bytes_in, r.response.bytes_out);
      if (shared_.requests) log_request(s, i, seq, r.response, intended, nullptr);
      break;
    }
    if (poll.stopped) break;
    if (step.poll) intended = r.response.began;  // a poll's latency is its last request's
    record(s, i, r.response, intended);
    check::judge(s.checks[i], r.response, step.poll ? &poll : nullptr, *secrets, r.verdict);
    check::tally(r.verdict, s.steps[i]);
    if (r.verdict.stream && r.verdict.stream_measured) {  // the time series' TTFT and ITL
      const auto [ttft, itl] = interval_.stream_histograms(s.first_step + i);
      if (r.verdict.stream->ttft) ttft->record_saturating(metrics::micros(*r.verdict.stream->ttft));
      for (const auto gap : r.verdict.stream->itl) itl->record_saturating(metrics::micros(gap));
    }
    if (shared_.requests) log_request(s, i, seq, r.response, intended, &r.verdict);
    if (spec.goodput.any()) {
      ++s.steps[i].goodput_judged;
      s.steps[i].good += check::is_good(spec.goodput, r.verdict, r.response);
    }
    for (auto& [k, v] : r.verdict.extracted) vars[k] = std::move(v);
    if (r.verdict.answer) {
      answers.resize(i - first);
      answers.push_back(std::move(*r.verdict.answer));
    }
    if (!r.verdict.go_on) break;
    intended = r.response.done;
    if (step.callback && !r.verdict.unsupported) {
      co_await await_callback(s, r, i, *secrets, lookup);
      intended = shared_.clock.now();
    }
  }
  ++s.iterations;
}

// One exchange's timings and sizes, whatever its outcome.
void Worker::record(ScenarioRun& s, std::size_t i, const check::Response& r, Clock::TimePoint intended) {
  const auto sent = r.sent.time_since_epoch().count() ? r.sent : r.began;
  s.steps[i].record_exchange(r.done - intended, r.done - sent, r.status, r.bytes_in, r.bytes_out);
  interval_.latency_us[s.first_step + i].record_saturating(metrics::micros(r.done - intended));
}

Task<void> Worker::sleep_until(Runner& r, Clock::TimePoint t) {
  if (closing_) co_return;
  r.sleep.expires_at(t);
  error_code ec;
  co_await r.sleep.async_wait(on_ec(ec));
}

// Sends a polled step until its condition holds or its timeout passes;
// the attempts before the last count as requests, the last is judged.
Task<void> Worker::poll_step(ScenarioRun& s, Runner& r, std::size_t i, std::int64_t seq, const Request& req, Reading reading,
                                  check::PollOutcome& state) {
  const auto& poll = *s.spec->steps[i].poll;
  auto& fm = s.steps[i].flow.get();
  const auto d = [](std::chrono::nanoseconds n) { return std::chrono::duration_cast<Clock::Duration>(n); };
  if (poll.initial_delay.count() > 0) co_await sleep_until(r, shared_.clock.now() + d(poll.initial_delay));
  const auto first = shared_.clock.now();
  const auto deadline = first + d(poll.timeout);
  while (true) {
    co_await s.pool->send(req, r.response, reading);
    ++fm.poll_requests;
    const auto& resp = r.response;
    if (resp.aborted || resp.error != ErrorKind::kNone || s.checks[i].unsupported(resp.status)) co_return;
    const flow::PollProbe probe = flow::probe_poll(poll, resp.body);
    state.last = probe.last;
    if (probe.met) {
      state.met = true;
      ++fm.polls;
      fm.poll_us.record_saturating(metrics::micros(resp.done - first));
      co_return;
    }
    const auto next = shared_.clock.now() + d(poll.interval);
    if (shared_.stop.load() || closing_) {
      record(s, i, resp, resp.began);  // answered, then the run ended: neither met nor timed out
      if (shared_.requests) log_request(s, i, seq, resp, resp.began, nullptr);
      state.stopped = true;
      co_return;
    }
    if (next > deadline) {
      state.timed_out = true;
      ++fm.polls_timed_out;
      co_return;
    }
    record(s, i, resp, resp.began);  // a poll that is not the last: counted and timed, not judged
    if (shared_.requests) log_request(s, i, seq, resp, resp.began, nullptr);
    co_await sleep_until(r, next);
  }
}

// One --requests line; whole buffers go to the file.
void Worker::log_request(ScenarioRun& s, std::size_t i, std::int64_t iteration, const check::Response& r,
                         Clock::TimePoint intended, const check::Verdict* verdict) {
  const std::size_t at = s.first_step + i;
  if (quoted_names_.size() <= at) quoted_names_.resize(at + 1);
  if (quoted_names_[at].empty()) {
    const auto q = [](const std::string& v) { return json(v).dump(-1, ' ', false, json::error_handler_t::replace); };
    quoted_names_[at] = "\"scenario\":" + q(s.spec->name) + ",\"step\":" + q(s.spec->steps[i].name);
    if (!shared_.requests->label().empty()) quoted_names_[at] += ",\"series_step\":" + q(shared_.requests->label());
  }
  const auto us = [&](Clock::TimePoint t) -> long long {
    return t == Clock::TimePoint{} ? -1 : std::chrono::duration_cast<std::chrono::microseconds>(t - shared_.start).count();
  };
  const auto sent = r.sent.time_since_epoch().count() ? r.sent : r.began;
  metrics::ErrorKind kind = r.aborted ? metrics::ErrorKind::kAborted : verdict ? verdict->error : r.error;
  long long first_token = -1, tokens = -1;
  if (verdict && verdict->stream) {
    tokens = verdict->stream->output_tokens;
    if (verdict->stream->ttft) first_token = us(sent + *verdict->stream->ttft);
  }
  char line[512];
  const int n = std::snprintf(
      line, sizeof line,
      ",\"run\":%d,\"iteration\":%lld,\"worker\":%u,\"intended_us\":%lld,\"sent_us\":%lld,\"first_byte_us\":%lld,"
      "\"first_token_us\":%lld,\"end_us\":%lld,\"latency_us\":%lld,\"status\":%d,\"error\":\"%s\",\"bytes_in\":%lld,"
      "\"bytes_out\":%lld,\"tokens\":%lld",
      shared_.requests_run, static_cast<long long>(iteration), index_, us(intended), us(sent), us(r.first_byte),
      first_token, r.aborted ? -1 : us(r.done), r.aborted ? -1LL : static_cast<long long>(metrics::micros(r.done - intended)),
      r.status, kind == metrics::ErrorKind::kNone ? "none" : metrics::error_kind_name(kind),
      static_cast<long long>(r.bytes_in), static_cast<long long>(r.bytes_out), tokens);
  request_lines_ += "{";
  request_lines_ += quoted_names_[at];
  request_lines_.append(line, static_cast<std::size_t>(std::max(0, std::min<int>(n, sizeof line - 1))));
  if (const auto id = r.header("x-request-id"); id && id->size() <= 128) {
    request_lines_ += ",\"request_id\":";
    request_lines_ += json(std::string(*id)).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  request_lines_ += "}\n";
  if (request_lines_.size() >= 64 * 1024) flush_requests();
}

void Worker::flush_requests() {
  if (shared_.requests && !request_lines_.empty()) shared_.requests->write(request_lines_);
  request_lines_.clear();
}

// Waits for the step's callback, then judges it.
Task<void> Worker::await_callback(ScenarioRun& s, Runner& r, std::size_t i, const std::vector<std::string>& secrets,
                                       const flow::Lookup& lookup) {
  const auto& cb = *s.spec->steps[i].callback;
  check::CallbackOutcome outcome;
  outcome.value = flow::render(cb.value, lookup, &outcome.missing);
  if (closing_) co_return;
  std::optional<flow::Arrival> got;
  if (shared_.callbacks && outcome.missing.empty()) got = co_await wait_callback(r, cb.pointer, outcome.value, cb.timeout);
  if (!got && (shared_.stop.load() || closing_)) co_return;  // the run stopped: not a missed callback
  if (got) {
    outcome.arrived = true;
    outcome.content_type = got->content_type;
    outcome.body = &got->body;
    outcome.after_sent = got->at - r.response.sent;
  }
  check::judge_callback(s.checks[i], outcome, secrets, r.verdict);
  check::tally(r.verdict, s.steps[i]);
}

// The hub notifies from its own thread: the arrival is posted here, where
// it wakes the runner's wait.
Task<std::optional<flow::Arrival>> Worker::wait_callback(Runner& r, const std::string& pointer,
                                                              const std::string& value, std::chrono::nanoseconds timeout) {
  struct Wait {
    std::optional<flow::Arrival> got;
  };
  auto w = std::make_shared<Wait>();
  const auto ticket = shared_.callbacks->watch(pointer, value, [this, w, &r](flow::Arrival a) {
    asio::post(ioc_, [w, &r, a = std::move(a)]() mutable {
      w->got = std::move(a);
      r.sleep.cancel();
    });
  });
  co_await sleep_until(r, shared_.clock.now() + std::chrono::duration_cast<Clock::Duration>(timeout));
  if (!w->got && !shared_.callbacks->unwatch(ticket)) {
    // Notified just now: its post is on its way and will end this wait.
    r.sleep.expires_at(Clock::TimePoint::max());
    error_code ec;
    co_await r.sleep.async_wait(on_ec(ec));
  }
  co_return std::move(w->got);
}

}  // namespace tollgate::http
