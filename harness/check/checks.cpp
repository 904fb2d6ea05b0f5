#include "harness/check/checks.h"

#include "harness/check/stream.h"

#include <algorithm>

#include "common/printable.h"
#include "harness/check/check_names.h"

namespace tollgate::check {

using nlohmann::json;
using scenario::BodyCheck;
using scenario::HeaderCheck;

std::string CheckResults::quote(std::string_view bytes, std::size_t max) const {
  return secrets ? printable(bytes, max, *secrets) : printable(bytes, max);
}

StepChecks::StepChecks(const scenario::Step& step, const contract::Contract* contract)
    : step_(step), contract_(contract) {
  const auto& x = step.expect;
  status_ = names_.size();
  names_.push_back(status_name(x.status));
  headers_ = names_.size();
  for (const auto& h : x.headers) {
    names_.push_back(header_name(h));
    header_re_.push_back(h.kind == HeaderCheck::Kind::kMatches ? std::optional<std::regex>(std::regex(h.value))
                                                               : std::nullopt);
  }
  body_ = names_.size();
  for (const auto& b : x.body) {
    names_.push_back(body_name(b));
    body_re_.push_back(b.kind == BodyCheck::Kind::kMatches ? std::optional<std::regex>(std::regex(b.value.get<std::string>()))
                                                           : std::nullopt);
  }
  if (x.max_time) {
    time_ = names_.size();
    names_.push_back("time <= " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*x.max_time).count()) + "ms");
  }
  if (x.contract && step.op) {
    contract_check_ = names_.size();
    names_.push_back("contract " + step.op->id);
  }
  needs_body_ = !x.body.empty() || contract_check_ != npos;
  if (x.stream) {
    stream_ = names_.size();
    names_.push_back("stream");
    if (step.op)
      for (const auto& r : step.op->responses)
        if (const auto* m = contract::find_media_type(r.content, "text/event-stream"); m && m->sse_chunk) {
          sse_media_ = m;
          break;
        }
  }
  if (!step.extract.empty()) {
    extract_ = names_.size();
    names_.push_back(extract_name(step.extract));
  }
  if (step.poll) {
    poll_ = names_.size();
    names_.push_back(poll_name(*step.poll));
  }
  if (step.callback) {
    callback_ = names_.size();
    names_.push_back("callback " + step.callback->pointer);
  }
  stream_expect_.contract = contract_;
  stream_expect_.media = sse_media_;
  if (sse_media_ && !sse_media_->sse_done.empty()) {
    stream_expect_.done = sse_media_->sse_done;
  } else if (sse_media_ && !sse_media_->sse_end.empty()) {
    stream_expect_.done.clear();
    stream_expect_.end = sse_media_->sse_end;
  }
  stream_expect_.usage = step_.asks_usage;
  stream_expect_.collect = step_.collects_answer;
}

bool StepChecks::unsupported(int status) const {
  if (status != 501) return false;
  if (std::find(step_.expect.status.begin(), step_.expect.status.end(), 501) != step_.expect.status.end()) return false;
  if (step_.op)
    for (const auto& r : step_.op->responses)
      if (r.status == "501") return false;
  return true;
}

void StepChecks::evaluate(const Response& r, const StreamReport* stream, CheckResults& out) const {
  const auto& x = step_.expect;
  // Status, with the start of an unexpected body: it usually says why.
  const bool status_ok = x.status.empty() ? r.status < 400
                                          : std::find(x.status.begin(), x.status.end(), r.status) != x.status.end();
  if (status_ok)
    out.pass(status_);
  else
    out.fail(status_, "got " + std::to_string(r.status) + ", expected " + names_[status_].substr(7) +
                          (r.body.empty() ? std::string() : ": " + out.quote(r.body, 160)));
  evaluate_headers(r, out);
  // The body, parsed once when something needs it.
  json doc;
  const bool streamed = stream != nullptr;
  if (needs_body_ && !streamed) doc = json::parse(r.body, nullptr, false);
  const json* parsed = doc.is_discarded() || !needs_body_ || streamed ? nullptr : &doc;
  evaluate_body(r, streamed, parsed, out);
  if (time_ != npos) {
    if (r.time() > *x.max_time)
      out.fail(time_, "took " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(r.time()).count()) + "ms");
    else
      out.pass(time_);
  }
  if (contract_check_ != npos && contract_) evaluate_contract(r, parsed, out);
  if (stream_ != npos && r.status < 300) evaluate_stream(r, stream, out);
}

void StepChecks::evaluate_headers(const Response& r, CheckResults& out) const {
  const auto& checks = step_.expect.headers;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto& h = checks[i];
    const auto v = r.header(h.name);
    const std::string shown = v ? out.quote(*v, 80) : std::string();
    std::optional<std::string> f;
    if (h.kind == HeaderCheck::Kind::kAbsent) {
      if (v) f = h.name + " is present: " + shown;
    } else if (!v) {
      f = "no " + h.name + " header";
    } else if (h.kind == HeaderCheck::Kind::kEquals && *v != h.value) {
      f = h.name + " is '" + shown + "', expected '" + h.value + "'";
    } else if (h.kind == HeaderCheck::Kind::kMatches && !std::regex_search(v->begin(), v->end(), *header_re_[i])) {
      f = h.name + " '" + shown + "' does not match " + h.value;
    }
    if (f)
      out.fail(headers_ + i, std::move(*f));
    else
      out.pass(headers_ + i);
  }
}

void StepChecks::evaluate_body(const Response&, bool streamed, const json* doc, CheckResults& out) const {
  const auto& checks = step_.expect.body;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    std::optional<std::string> f;
    if (!doc)
      f = "the body is not JSON" + std::string(streamed ? " (an event stream)" : "");
    else
      f = body_failure(checks[i], *doc, body_re_[i] ? &*body_re_[i] : nullptr);
    if (f)
      out.fail(body_ + i, std::move(*f));
    else
      out.pass(body_ + i);
  }
}

void StepChecks::evaluate_contract(const Response& r, const json* doc, CheckResults& out) const {
  const std::string ct(r.header("content-type").value_or(""));
  std::map<std::string, std::string> hmap;
  for (const auto& f : r.fields) hmap.emplace(ascii_lower(r.name_of(f)), std::string(r.value_of(f)));
  const std::string mt = ascii_lower(ct.substr(0, ct.find(';')));
  const bool json_body = mt == "application/json" || mt.ends_with("+json");
  std::vector<contract::Violation> found;
  if (json_body && !doc) found.push_back({"", "", "the body is not valid JSON though Content-Type is " + ct});
  auto more = contract_->validate_response(*step_.op, r.status, ct, json_body ? doc : nullptr, &hmap);
  found.insert(found.end(), more.begin(), more.end());
  // Token accounting the schema cannot state: total = prompt + completion.
  if (json_body && doc && doc->is_object() && doc->contains("usage") && (*doc)["usage"].is_object())
    for (auto& p : usage_problems((*doc)["usage"], -1)) found.push_back({"/usage", "", std::move(p)});
  if (found.empty()) {
    out.pass(contract_check_);
    return;
  }
  std::string m = step_.op->id + " " + std::to_string(r.status) + ": ";
  for (std::size_t i = 0; i < found.size() && i < 3; ++i) m += (i ? "; " : "") + found[i].to_string();
  if (found.size() > 3) m += "; and " + std::to_string(found.size() - 3) + " more";
  out.fail(contract_check_, std::move(m));
}

void StepChecks::evaluate_stream(const Response& r, const StreamReport* stream, CheckResults& out) const {
  if (!stream) {
    out.fail(stream_, "the request asked for a stream but the answer is " + std::string(r.header("content-type").value_or("")));
  } else if (!stream->problems.empty()) {
    std::string m;
    for (std::size_t i = 0; i < stream->problems.size() && i < 3; ++i) m += (i ? "; " : "") + stream->problems[i];
    out.fail(stream_, std::move(m));
  } else {
    out.pass(stream_);
  }
}

}  // namespace tollgate::check
