#include "harness/check/checks.h"

#include <algorithm>

#include "common/text.h"

namespace tollgate::check {

using nlohmann::json;
using scenario::BodyCheck;
using scenario::HeaderCheck;

namespace {

std::string short_json(const json& v, std::size_t max = 120) {
  std::string s = v.dump();
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

std::string type_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

std::string status_name(const std::vector<int>& expected) {
  if (expected.empty()) return "status < 400";
  if (expected.size() == 1) return "status " + std::to_string(expected[0]);
  std::string s = "status in [";
  for (std::size_t i = 0; i < expected.size(); ++i) s += (i ? ", " : "") + std::to_string(expected[i]);
  return s + "]";
}

std::string body_name(const BodyCheck& b) {
  const std::string p = "body " + (b.pointer.empty() ? std::string("(root)") : b.pointer);
  switch (b.kind) {
    case BodyCheck::Kind::kEquals: return p + " == " + short_json(b.value, 60);
    case BodyCheck::Kind::kMatches: return p + " matches " + b.value.get<std::string>();
    case BodyCheck::Kind::kType: return p + " is " + b.value.get<std::string>();
    case BodyCheck::Kind::kLength:
      if (b.max == b.min) return p + " has length " + std::to_string(b.min);
      return p + " has length >= " + std::to_string(b.min) + (b.max >= 0 ? " and <= " + std::to_string(b.max) : "");
    case BodyCheck::Kind::kOneOf: return p + " one of " + short_json(b.value, 60);
    case BodyCheck::Kind::kExists: return p + " exists";
    case BodyCheck::Kind::kAbsent: return p + " is absent";
  }
  return p;
}

std::string header_name(const HeaderCheck& h) {
  switch (h.kind) {
    case HeaderCheck::Kind::kPresent: return "header " + h.name + " present";
    case HeaderCheck::Kind::kAbsent: return "header " + h.name + " absent";
    case HeaderCheck::Kind::kEquals: return "header " + h.name + " == " + h.value;
    case HeaderCheck::Kind::kMatches: return "header " + h.name + " matches " + h.value;
  }
  return "header " + h.name;
}

std::string content_type_of(const std::vector<std::pair<std::string, std::string>>& headers) {
  const std::string* ct = find_header(headers, "content-type");
  return ct ? *ct : "";
}

}  // namespace

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
    std::string vars;
    for (const auto& e : step.extract) vars += (vars.empty() ? "" : ", ") + e.var;
    names_.push_back("extract " + vars);
  }
  if (step.poll) {
    poll_ = names_.size();
    std::string values;
    for (const auto& v : step.poll->values) values += (values.empty() ? "" : ", ") + v.dump();
    names_.push_back("poll until " + step.poll->pointer + " in [" + values + "]");
  }
  if (step.callback) {
    callback_ = names_.size();
    names_.push_back("callback " + step.callback->pointer);
  }
}

bool StepChecks::unsupported(int status) const {
  if (status != 501) return false;
  if (std::find(step_.expect.status.begin(), step_.expect.status.end(), 501) != step_.expect.status.end()) return false;
  if (step_.op)
    for (const auto& r : step_.op->responses)
      if (r.status == "501") return false;
  return true;
}

StreamExpectations StepChecks::stream_expectations(bool complete) const {
  StreamExpectations e;
  e.contract = contract_;
  e.media = sse_media_;
  if (sse_media_ && !sse_media_->sse_done.empty()) e.done = sse_media_->sse_done;
  e.usage = step_.asks_usage;
  e.complete = complete;
  return e;
}

StepChecks::Outcome StepChecks::evaluate(const Response& r) const {
  Outcome out;
  const auto& x = step_.expect;
  auto verdict = [&](std::size_t index, std::optional<std::string> failure) {
    if (failure)
      out.failures.emplace_back(index, std::move(*failure));
    else
      out.passed.push_back(index);
  };
  // Status, with the start of an unexpected body: it usually says why.
  {
    const bool ok = x.status.empty() ? r.status < 400
                                     : std::find(x.status.begin(), x.status.end(), r.status) != x.status.end();
    std::optional<std::string> f;
    if (!ok) {
      f = "got " + std::to_string(r.status) + ", expected " + names_[status_].substr(7);
      if (r.body && !r.body->empty()) f = *f + ": " + r.body->substr(0, 160);
    }
    verdict(status_, f);
  }
  const auto& headers = *r.headers;
  for (std::size_t i = 0; i < x.headers.size(); ++i) {
    const auto& h = x.headers[i];
    const std::string* v = find_header(headers, h.name);
    std::optional<std::string> f;
    switch (h.kind) {
      case HeaderCheck::Kind::kPresent:
        if (!v) f = "no " + h.name + " header";
        break;
      case HeaderCheck::Kind::kAbsent:
        if (v) f = h.name + " is present: " + v->substr(0, 80);
        break;
      case HeaderCheck::Kind::kEquals:
        if (!v) f = "no " + h.name + " header";
        else if (*v != h.value) f = h.name + " is '" + v->substr(0, 80) + "', expected '" + h.value + "'";
        break;
      case HeaderCheck::Kind::kMatches:
        if (!v) f = "no " + h.name + " header";
        else if (!std::regex_search(*v, *header_re_[i])) f = h.name + " '" + v->substr(0, 80) + "' does not match " + h.value;
        break;
    }
    verdict(headers_ + i, f);
  }
  // The body, parsed once when something needs it.
  std::optional<json> body;
  const bool streamed = r.stream != nullptr;
  auto parsed = [&]() -> const json* {
    if (!body) body = json::parse(r.body ? *r.body : std::string(), nullptr, false);
    return body->is_discarded() ? nullptr : &*body;
  };
  for (std::size_t i = 0; i < x.body.size(); ++i) {
    const auto& b = x.body[i];
    std::optional<std::string> f;
    const json* doc = streamed ? nullptr : parsed();
    const std::string at = b.pointer.empty() ? "the body" : b.pointer;
    if (!doc) {
      f = "the body is not JSON" + std::string(streamed ? " (an event stream)" : "");
    } else {
      const json::json_pointer ptr(b.pointer);
      const bool present = doc->contains(ptr);
      if (b.kind == BodyCheck::Kind::kAbsent) {
        if (present) f = at + " is present: " + short_json(doc->at(ptr));
      } else if (!present) {
        f = at + " is missing";
      } else {
        const json& v = doc->at(ptr);
        switch (b.kind) {
          case BodyCheck::Kind::kEquals:
            if (v != b.value) f = at + " is " + short_json(v) + ", expected " + short_json(b.value);
            break;
          case BodyCheck::Kind::kMatches: {
            const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
            if (!std::regex_search(s, *body_re_[i]))
              f = at + " " + short_json(v) + " does not match " + b.value.get<std::string>();
            break;
          }
          case BodyCheck::Kind::kType: {
            const std::string want = b.value.get<std::string>();
            const std::string got = type_of(v);
            if (!(got == want || (want == "number" && got == "integer"))) f = at + " is " + got + ", expected " + want;
            break;
          }
          case BodyCheck::Kind::kLength: {
            std::int64_t n = -1;
            if (v.is_string()) n = static_cast<std::int64_t>(v.get<std::string>().size());
            else if (v.is_array() || v.is_object()) n = static_cast<std::int64_t>(v.size());
            if (n < 0) f = at + " is " + type_of(v) + ", which has no length";
            else if (n < b.min || (b.max >= 0 && n > b.max)) f = at + " has length " + std::to_string(n);
            break;
          }
          case BodyCheck::Kind::kOneOf:
            if (std::find(b.value.begin(), b.value.end(), v) == b.value.end())
              f = at + " is " + short_json(v) + ", expected one of " + short_json(b.value);
            break;
          default:
            break;
        }
      }
    }
    verdict(body_ + i, f);
  }
  if (time_ != npos) {
    std::optional<std::string> f;
    if (r.time > *x.max_time)
      f = "took " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(r.time).count()) + "ms";
    verdict(time_, f);
  }
  if (contract_check_ != npos && contract_) {
    const std::string ct = content_type_of(headers);
    std::map<std::string, std::string> hmap;
    for (const auto& [k, v] : headers) hmap.emplace(ascii_lower(k), v);
    const std::string mt = ascii_lower(ct.substr(0, ct.find(';')));
    const bool json_body = mt == "application/json" || mt.ends_with("+json");
    std::vector<contract::Violation> found;
    if (json_body && !parsed()) {
      found.push_back({"", "", "the body is not valid JSON though Content-Type is " + ct});
      auto more = contract_->validate_response(*step_.op, r.status, ct, nullptr, &hmap);
      found.insert(found.end(), more.begin(), more.end());
    } else {
      found = contract_->validate_response(*step_.op, r.status, ct, json_body ? parsed() : nullptr, &hmap);
    }
    std::optional<std::string> f;
    if (!found.empty()) {
      std::string m = step_.op->id + " " + std::to_string(r.status) + ": ";
      for (std::size_t i = 0; i < found.size() && i < 3; ++i) m += (i ? "; " : "") + found[i].to_string();
      if (found.size() > 3) m += "; and " + std::to_string(found.size() - 3) + " more";
      f = m;
    }
    verdict(contract_check_, f);
  }
  if (stream_ != npos && r.status < 300) {
    std::optional<std::string> f;
    if (!r.stream) {
      f = "the request asked for a stream but the answer is " + content_type_of(headers);
    } else if (!r.stream->problems.empty()) {
      std::string m;
      for (std::size_t i = 0; i < r.stream->problems.size() && i < 3; ++i) m += (i ? "; " : "") + r.stream->problems[i];
      f = m;
    }
    verdict(stream_, f);
  }
  return out;
}

}  // namespace tollgate::check
