#include "harness/check/verdict.h"

#include <cmath>

#include "common/printable.h"
#include "common/secrets.h"
#include "harness/flow/extract.h"

namespace tollgate::check {

using metrics::ErrorKind;

namespace {

std::int64_t ms(std::chrono::nanoseconds d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// Every message leaves here masked and valid UTF-8, however it was made
// (a contract violation may quote a value of the answer).
void mask(Verdict& out, const std::vector<std::string>& secrets) {
  for (auto& [index, message] : out.checks.failed) message = printable(message, 1000, secrets);
}

// The error kind the failed checks make of the exchange: a wrong status
// counts as "status", any other failed check as "check", a transport
// failure (with an answer: a stream that broke) as itself.
ErrorKind kind_of(ErrorKind transport, const CheckResults& checks, std::size_t status_index) {
  ErrorKind kind = transport;
  for (const auto& [index, message] : checks.failed) {
    if (kind == ErrorKind::kNone) kind = index == status_index ? ErrorKind::kStatus : ErrorKind::kCheck;
    else if (index == status_index && kind == ErrorKind::kCheck) kind = ErrorKind::kStatus;
  }
  return kind;
}

// The callback's body against the operation's documented callback.
std::string callback_contract_failure(const StepChecks& checks, const CallbackOutcome& c) {
  const auto& cb = *checks.step().callback;
  const contract::Contract* contract = checks.contract();
  if (!cb.contract || !contract) return "";
  const auto* media = contract::find_media_type(cb.contract->body, c.content_type.empty() ? "application/json"
                                                                                         : c.content_type);
  if (!media) return "callback " + cb.contract->name + ": content type '" + c.content_type + "' is not documented";
  if (!media->schema || !c.body) return "";
  std::vector<contract::Violation> found;
  contract->validator().validate(media->schema, *c.body, contract::Direction::kRequest, found);
  std::string failure;
  for (std::size_t k = 0; k < found.size() && k < 3; ++k)
    failure += (k ? "; " : "callback " + cb.contract->name + ": ") + found[k].to_string();
  return failure;
}

// A turn's answer: what its stream carried, or the first choice's message
// (a chat completion) or text (a completion), at most kMaxAnswer bytes;
// "" when there is none.
std::string answer_of(const Response& r, const StreamReport* stream) {
  auto capped = [](std::string s) {
    s.resize(utf8_cut(s, kMaxAnswer));
    return s;
  };
  if (stream) return stream->content;  // capped as it was collected
  const auto doc = nlohmann::json::parse(r.body, nullptr, false);
  const nlohmann::json* choice = nullptr;
  if (doc.is_object() && doc.contains("choices") && doc["choices"].is_array() && !doc["choices"].empty())
    choice = &doc["choices"][0];
  if (!choice || !choice->is_object()) return "";
  if (auto m = choice->find("message"); m != choice->end() && m->is_object())
    if (auto c = m->find("content"); c != m->end() && c->is_string()) return capped(c->get<std::string>());
  if (auto t = choice->find("text"); t != choice->end() && t->is_string()) return capped(t->get<std::string>());
  return "";
}

}  // namespace

void Verdict::clear() {
  checks.clear();
  error = ErrorKind::kNone;
  error_message.clear();
  unsupported = false;
  unsupported_message.clear();
  stream.reset();
  stream_measured = false;
  extracted.clear();
  answer.reset();
  go_on = true;
  callback_time.reset();
  callback_missed = false;
}

void judge(const StepChecks& checks, const Response& r, const PollOutcome* poll,
           const std::vector<std::string>& secrets, Verdict& out) {
  out.clear();
  if (r.error != ErrorKind::kNone) out.error_message = printable(r.error_message, 200, secrets);
  if (r.error != ErrorKind::kNone && r.status == 0) {  // no answer at all
    out.error = r.error;
    out.go_on = false;
    return;
  }
  if (checks.unsupported(r.status)) {
    // Not a failure of the step's checks: the later steps still run; those
    // that need its extracts are reported unsupported too.
    out.unsupported = true;
    out.unsupported_message =
        "501 Not Implemented" + (r.body.empty() ? std::string() : ": " + printable(r.body, 160, secrets));
    return;
  }
  if (r.event_stream) {
    out.stream = r.stream.finish(r.time(), r.error == ErrorKind::kNone);
    out.stream_measured = r.status < 300;
  }
  out.checks.secrets = &secrets;
  checks.evaluate(r, out.stream ? &*out.stream : nullptr, out.checks);
  out.checks.secrets = nullptr;  // the caller's: not kept past this call
  ErrorKind kind = kind_of(r.error, out.checks, checks.status_index());
  if (poll && checks.poll_index() != StepChecks::npos) {
    const auto& p = *checks.step().poll;
    if (poll->met) {
      out.checks.pass(checks.poll_index());
    } else {
      out.checks.fail(checks.poll_index(), "after " + std::to_string(ms(p.timeout)) + "ms " + p.pointer + " is " +
                                               (poll->last.empty() ? std::string("missing") : poll->last));
      if (kind == ErrorKind::kNone) kind = ErrorKind::kCheck;
    }
  }
  out.go_on = kind == ErrorKind::kNone || kind == ErrorKind::kCheck;
  const auto& extracts = checks.step().extract;
  if (out.go_on && !extracts.empty()) {
    std::string error;
    out.extracted = flow::extract(extracts, r.body, [&r](std::string_view name) { return r.header(name); }, error);
    if (error.empty()) {
      out.checks.pass(checks.extract_index());
    } else {
      out.checks.fail(checks.extract_index(), std::move(error));
      if (kind == ErrorKind::kNone) kind = ErrorKind::kCheck;
      out.go_on = false;  // later steps would render without the value
    }
  }
  if (out.go_on && checks.step().collects_answer) out.answer = answer_of(r, out.stream ? &*out.stream : nullptr);
  out.error = kind;
  if (!out.checks.failed.empty()) mask(out, secrets);
}

void judge_callback(const StepChecks& checks, const CallbackOutcome& c, const std::vector<std::string>& secrets,
                    Verdict& out) {
  out.clear();
  const auto& cb = *checks.step().callback;
  std::string failure;
  if (!c.missing.empty()) {
    failure = "{{" + c.missing + "}} has no value to match the callback by";
  } else if (!c.arrived) {
    out.callback_missed = true;
    failure = "no callback with " + cb.pointer + " == \"" + c.value + "\" within " + std::to_string(ms(cb.timeout)) + "ms";
  } else {
    out.callback_time = c.after_sent;
    failure = callback_contract_failure(checks, c);
  }
  if (failure.empty()) {
    out.checks.pass(checks.callback_index());
  } else {
    out.checks.fail(checks.callback_index(), std::move(failure));
    out.error = ErrorKind::kCheck;
    mask(out, secrets);
  }
}

void tally(const Verdict& v, metrics::StepMetrics& m) {
  for (const auto index : v.checks.passed) {
    ++m.checks[index].passed;
    ++m.checks_passed;
  }
  for (const auto& [index, message] : v.checks.failed) {
    m.checks[index].fail(message);
    ++m.checks_failed;
  }
  if (v.error != ErrorKind::kNone) {
    ++m.errors[static_cast<std::size_t>(v.error)];
    if (!v.error_message.empty() && v.error != ErrorKind::kStatus && v.error != ErrorKind::kCheck)
      metrics::note_sample(m.error_samples[static_cast<std::size_t>(v.error)], v.error_message);
  }
  if (v.unsupported) {
    ++m.unsupported;
    if (m.unsupported_message.empty()) m.unsupported_message = v.unsupported_message;
  }
  if (v.stream && v.stream_measured) {
    const auto& s = *v.stream;
    auto& sm = m.stream.get();
    ++sm.streams;
    sm.output_tokens += s.output_tokens;
    if (s.tokens_from_usage) ++sm.usage_reported;
    if (s.ttft) sm.ttft_us.record_saturating(metrics::micros(*s.ttft));
    for (const auto gap : s.itl) sm.itl_us.record_saturating(metrics::micros(gap));
    if (s.tpot) sm.tpot_us.record_saturating(metrics::micros(*s.tpot));
    sm.e2e_us.record_saturating(metrics::micros(s.e2e));
    const double secs = std::chrono::duration<double>(s.e2e).count();
    if (secs > 0 && s.output_tokens > 0)
      sm.tokens_per_s.record_saturating(std::llround(static_cast<double>(s.output_tokens) / secs));
  }
  if (v.callback_time) {
    auto& fm = m.flow.get();
    ++fm.callbacks;
    fm.callback_us.record_saturating(metrics::micros(*v.callback_time));
  }
  if (v.callback_missed) ++m.flow.get().callbacks_missed;
}

}  // namespace tollgate::check
