#include "harness/http/response_parser.h"

#include <cstring>

namespace tollgate::http {

namespace {

constexpr std::size_t kMaxLine = 4096;  // a chunk size or trailer line

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value holds `token` (any case).
bool has_token(std::string_view value, std::string_view token) {
  if (value.size() == token.size()) return iequals(value, token);  // the usual one-token value
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// RFC 9110 tchar, as a table: a header name is checked byte by byte.
struct TokenChars {
  bool ok[256] = {};
  constexpr TokenChars() {
    for (int c = 'a'; c <= 'z'; ++c) ok[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) ok[c] = true;
    for (int c = '0'; c <= '9'; ++c) ok[c] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) ok[static_cast<unsigned char>(c)] = true;
  }
};
constexpr TokenChars kTokenChars;

bool is_token_char(char c) { return kTokenChars.ok[static_cast<unsigned char>(c)]; }

}  // namespace

void ResponseParser::start(check::Response& out, bool head_request, Limits limits,
                           const check::StreamExpectations* stream) {
  out_ = &out;
  stream_ = stream;
  limits_ = limits;
  head_request_ = head_request;
  state_ = State::kHead;
  failure_ = Failure::kNone;
  error_.clear();
  line_.clear();
  remaining_ = 0;
  body_bytes_ = 0;
  keep_alive_ = true;
  http10_ = false;
  seen_any_ = false;
  connection_ = content_type_ = content_length_ = transfer_encoding_ = -1;
  line_start_ = 0;
}

void ResponseParser::fail(Failure f, std::string why) {
  failure_ = f;
  error_ = std::move(why);
  state_ = State::kFailed;
  keep_alive_ = false;
}

std::size_t ResponseParser::feed(const char* data, std::size_t size, std::chrono::nanoseconds arrived) {
  arrived_ = arrived;
  std::size_t used = 0;
  if (size > 0) seen_any_ = true;
  while (used < size && state_ != State::kDone && state_ != State::kFailed)
    used += state_ == State::kHead ? feed_head(data + used, size - used) : feed_body(data + used, size - used);
  return used;
}

// The head, line by line as it arrives, up to the blank line that ends
// it; the rest is the body's. Whole lines are parsed where they lie in
// `data` and the head is appended in one piece; only a line split across
// reads is put together in the head first.
std::size_t ResponseParser::feed_head(const char* data, std::size_t size) {
  std::string& head = out_->head;
  std::size_t used = 0;
  if (line_start_ < head.size()) {  // the end of a line an earlier read began
    const void* nl = std::memchr(data, '\n', size);
    used = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1 : size;
    if (!append_head(data, used)) return size;
    if (!nl) return used;
    const std::size_t at = line_start_;
    line_start_ = head.size();
    switch (head_line(head.data() + at, head.size() - at, at)) {
      case Line::kFailed: return size;
      case Line::kEnd: frame_body(); return used;
      case Line::kInterim: break;
      case Line::kMore: break;
    }
  }
  std::size_t from = used;  // data[from, pos) is parsed but not yet in the head
  std::size_t pos = used;
  while (pos < size) {
    const void* nl = std::memchr(data + pos, '\n', size - pos);
    if (!nl) break;
    const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1;
    const std::size_t at = head.size() + (pos - from);
    const Line line = head_line(data + pos, end - pos, at);
    pos = end;
    if (line == Line::kFailed) return size;
    if (line == Line::kInterim) {  // its head was dropped: the final one starts here
      from = pos;
      continue;
    }
    if (line == Line::kEnd) {
      if (!append_head(data + from, pos - from)) return size;
      frame_body();
      return pos;
    }
  }
  if (!append_head(data + from, size - from)) return size;
  line_start_ = head.size() - (size - pos);
  return size;
}

bool ResponseParser::append_head(const char* data, std::size_t n) {
  if (out_->head.size() + n > limits_.head) {
    fail(Failure::kTooLarge, "the answer's head is larger than " + std::to_string(limits_.head) + " bytes");
    return false;
  }
  out_->head.append(data, n);
  return true;
}

// One line of the head (with its line feed), which sits at `at` in the
// head once appended.
ResponseParser::Line ResponseParser::head_line(const char* p, std::size_t n, std::size_t at) {
  std::size_t len = n - 1;
  if (len > 0 && p[len - 1] == '\r') --len;
  const std::string_view line(p, len);
  const auto offset = static_cast<std::uint32_t>(at);
  if (at == 0) return parse_status_line(line) ? Line::kMore : Line::kFailed;
  if (!line.empty()) return parse_field(line, offset) ? Line::kMore : Line::kFailed;
  // The harness never asks to upgrade: what follows a 101 is not HTTP/1.1.
  if (out_->status == 101) return fail(Failure::kMalformed, "101 Switching Protocols, but no upgrade was asked for"), Line::kFailed;
  if (end_of_head()) return Line::kEnd;
  return Line::kInterim;
}

// The blank line: the final answer's head is in (true), or an interim
// answer's, which is dropped (the final one follows).
bool ResponseParser::end_of_head() {
  const int status = out_->status;
  if (status >= 100 && status < 200) {
    out_->head.clear();
    out_->fields.clear();
    out_->status = 0;
    line_start_ = 0;
    connection_ = content_type_ = content_length_ = transfer_encoding_ = -1;
    return false;
  }
  return true;
}

bool ResponseParser::parse_status_line(std::string_view line) {
  // HTTP/1.x SSS[ reason]
  const bool shape = line.size() >= 12 && line.substr(0, 7) == "HTTP/1." && (line[7] == '0' || line[7] == '1') &&
                     line[8] == ' ' && (line.size() == 12 || line[12] == ' ');
  int status = 0;
  for (std::size_t i = 9; shape && i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail(Failure::kMalformed, "a malformed status line"), false;
    status = status * 10 + (line[i] - '0');
  }
  if (!shape) return fail(Failure::kMalformed, "not an HTTP/1.x status line"), false;
  if (status < 100 || status > 599)
    return fail(Failure::kMalformed, "status " + std::string(line.substr(9, 3)) + " is not an HTTP status (100-599)"), false;
  out_->status = status;
  http10_ = line[7] == '0';
  return true;
}

bool ResponseParser::parse_field(std::string_view line, std::uint32_t offset) {
  // The name, up to the colon, checked as it is scanned.
  std::size_t colon = 0;
  while (colon < line.size() && is_token_char(line[colon])) ++colon;
  if (colon == 0 || colon == line.size() || line[colon] != ':')
    return fail(Failure::kMalformed, "a malformed header line"), false;
  std::size_t from = colon + 1, to = line.size();
  while (from < to && (line[from] == ' ' || line[from] == '\t')) ++from;
  while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) --to;
  out_->fields.push_back({offset, static_cast<std::uint32_t>(colon), static_cast<std::uint32_t>(offset + from),
                          static_cast<std::uint32_t>(to - from)});
  // The headers that frame the body, known by their length first.
  const std::string_view name = line.substr(0, colon);
  int* slot = nullptr;
  switch (name.size()) {
    case 10: slot = iequals_lower(name, "connection") ? &connection_ : nullptr; break;
    case 12: slot = iequals_lower(name, "content-type") ? &content_type_ : nullptr; break;
    case 14: slot = iequals_lower(name, "content-length") ? &content_length_ : nullptr; break;
    case 17: slot = iequals_lower(name, "transfer-encoding") ? &transfer_encoding_ : nullptr; break;
    default: break;
  }
  if (slot && *slot < 0) *slot = static_cast<int>(out_->fields.size() - 1);
  return true;
}

std::optional<std::string_view> ResponseParser::framing(int field) const {
  if (field < 0) return std::nullopt;
  return out_->value_of(out_->fields[static_cast<std::size_t>(field)]);
}

// How the body is delimited, and whether the connection stays open.
void ResponseParser::frame_body() {
  check::Response& r = *out_;
  keep_alive_ = !http10_;
  if (const auto c = framing(connection_)) {
    if (has_token(*c, "close")) keep_alive_ = false;
    else if (has_token(*c, "keep-alive")) keep_alive_ = true;
  }
  if (const auto ct = framing(content_type_)) r.event_stream = is_event_stream(*ct);
  if (r.event_stream) r.stream.start(stream_, limits_.event);
  if (head_request_ || r.status == 204 || r.status == 304) {
    state_ = State::kDone;
    return;
  }
  if (const auto te = framing(transfer_encoding_); te && has_token(*te, "chunked")) {
    state_ = State::kChunkSize;
    return;
  }
  if (const auto cl = framing(content_length_)) {
    std::uint64_t n = 0;
    if (cl->empty()) return fail(Failure::kMalformed, "an empty Content-Length");
    for (char c : *cl) {
      if (c < '0' || c > '9' || n > (1ULL << 50)) return fail(Failure::kMalformed, "a malformed Content-Length");
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > limits_.body) return fail(Failure::kTooLarge, "the body is larger than " + std::to_string(limits_.body) + " bytes");
    remaining_ = n;
    state_ = n == 0 ? State::kDone : State::kLength;
    return;
  }
  keep_alive_ = false;  // the end of the connection ends the body
  state_ = State::kUntilClose;
}

// Counts the body's bytes against max_body, judges an event stream's
// events as they come, and keeps what the checks read (at most
// limits_.keep of a body, limits_.stream_keep of a stream).
bool ResponseParser::append_body(const char* data, std::size_t n) {
  body_bytes_ += n;
  if (body_bytes_ > limits_.body) {
    fail(Failure::kTooLarge, "the body is larger than " + std::to_string(limits_.body) + " bytes");
    return false;
  }
  std::string& body = out_->body;
  const std::size_t keep = out_->event_stream ? limits_.stream_keep : limits_.keep;
  if (out_->event_stream && !out_->stream.feed(data, n, arrived_)) {
    fail(Failure::kTooLarge, "an event of the stream is larger than " + std::to_string(limits_.event) + " bytes");
    return false;
  }
  if (body.size() < keep) body.append(data, std::min(n, keep - body.size()));
  out_->body_size = body_bytes_;
  return true;
}

bool ResponseParser::take_line(const char* data, std::size_t size, std::size_t& used) {
  const void* nl = std::memchr(data, '\n', size);
  const std::size_t n = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1 : size;
  used = n;
  if (line_.size() + n > kMaxLine) {
    fail(Failure::kMalformed, "a chunk size or trailer line longer than " + std::to_string(kMaxLine) + " bytes");
    return false;
  }
  line_.append(data, n);
  if (!nl) return false;
  line_.pop_back();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

bool ResponseParser::chunk_size_line() {
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i < line_.size(); ++i) {
    const char c = line_[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) break;
    if (n > (1ULL << 50)) return fail(Failure::kMalformed, "a chunk size out of range"), false;
    n = n * 16 + static_cast<std::uint64_t>(d);
  }
  if (i == 0 || (i < line_.size() && line_[i] != ';' && line_[i] != ' ' && line_[i] != '\t'))
    return fail(Failure::kMalformed, "a malformed chunk size"), false;
  remaining_ = n;
  return true;
}

std::size_t ResponseParser::feed_body(const char* data, std::size_t size) {
  std::size_t used = 0;
  switch (state_) {
    case State::kLength:
    case State::kChunkData: {
      used = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size));
      if (!append_body(data, used)) return size;
      remaining_ -= used;
      if (remaining_ == 0) state_ = state_ == State::kLength ? State::kDone : State::kChunkEnd;
      return used;
    }
    case State::kUntilClose:
      append_body(data, size);
      return size;
    case State::kChunkSize:
      if (take_line(data, size, used)) {
        if (chunk_size_line()) state_ = remaining_ == 0 ? State::kTrailers : State::kChunkData;
        line_.clear();
      }
      return used;
    case State::kChunkEnd:
      if (take_line(data, size, used)) {
        if (!line_.empty()) fail(Failure::kMalformed, "a chunk not followed by CRLF");
        else state_ = State::kChunkSize;
        line_.clear();
      }
      return used;
    case State::kTrailers:
      if (take_line(data, size, used)) {
        if (line_.empty()) state_ = State::kDone;
        line_.clear();
      }
      return used;
    default:
      return size;
  }
}

void ResponseParser::end_of_input() {
  if (state_ == State::kDone || state_ == State::kFailed) return;
  if (state_ == State::kUntilClose) {
    state_ = State::kDone;
    return;
  }
  if (!seen_any_) fail(Failure::kClosedEarly, "the connection closed before an answer");
  else fail(Failure::kPartial, "the connection closed in the middle of the answer");
}

}  // namespace tollgate::http
