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
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

}  // namespace

void ResponseParser::start(check::Response& out, bool head_request, Limits limits) {
  out_ = &out;
  limits_ = limits;
  head_request_ = head_request;
  state_ = State::kHead;
  failure_ = Failure::kNone;
  error_.clear();
  line_.clear();
  remaining_ = 0;
  keep_alive_ = true;
  http10_ = false;
  seen_any_ = false;
  connection_ = content_type_ = content_length_ = transfer_encoding_ = std::nullopt;
}

void ResponseParser::fail(Failure f, std::string why) {
  failure_ = f;
  error_ = std::move(why);
  state_ = State::kFailed;
  keep_alive_ = false;
}

std::size_t ResponseParser::feed(const char* data, std::size_t size) {
  std::size_t used = 0;
  if (size > 0) seen_any_ = true;
  while (used < size && state_ != State::kDone && state_ != State::kFailed)
    used += state_ == State::kHead ? feed_head(data + used, size - used) : feed_body(data + used, size - used);
  return used;
}

// Up to the blank line that ends the head; the rest is the body's.
std::size_t ResponseParser::feed_head(const char* data, std::size_t size) {
  static constexpr char kEnd[] = "\r\n\r\n";
  std::string& head = out_->head;
  std::size_t end = std::string::npos;  // just past the terminator, in data
  // The terminator may straddle what arrived before and this read.
  for (std::size_t k = 3; k >= 1 && end == std::string::npos; --k)
    if (head.size() >= k && size >= 4 - k && head.compare(head.size() - k, k, kEnd, k) == 0 &&
        std::memcmp(data, kEnd + k, 4 - k) == 0)
      end = 4 - k;
  if (end == std::string::npos)
    if (const void* p = memmem(data, size, kEnd, 4)) end = static_cast<std::size_t>(static_cast<const char*>(p) - data) + 4;
  const std::size_t take = end == std::string::npos ? size : end;
  if (head.size() + take > limits_.head) {
    fail(Failure::kTooLarge, "the answer's head is larger than " + std::to_string(limits_.head) + " bytes");
    return size;
  }
  head.append(data, take);
  if (end != std::string::npos && parse_head()) frame_body();
  return take;
}

bool ResponseParser::parse_head() {
  const std::string& head = out_->head;
  std::size_t pos = head.find("\r\n");
  if (!parse_status_line(std::string_view(head).substr(0, pos))) return false;
  out_->fields.clear();
  while (true) {
    const std::size_t from = pos + 2;
    pos = head.find("\r\n", from);
    if (pos == std::string::npos || pos == from) break;  // the blank line
    if (!parse_field(std::string_view(head).substr(from, pos - from), static_cast<std::uint32_t>(from))) return false;
  }
  const int status = out_->status;
  if (status >= 100 && status < 200 && status != 101) {  // an interim answer: the final one follows
    out_->head.clear();
    out_->fields.clear();
    out_->status = 0;
    connection_ = content_type_ = content_length_ = transfer_encoding_ = std::nullopt;
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
  if (status < 100) return fail(Failure::kMalformed, "status " + std::string(line.substr(9, 3)) + " is not an HTTP status"), false;
  out_->status = status;
  http10_ = line[7] == '0';
  return true;
}

bool ResponseParser::parse_field(std::string_view line, std::uint32_t offset) {
  const auto colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return fail(Failure::kMalformed, "a malformed header line"), false;
  for (std::size_t i = 0; i < colon; ++i)
    if (!is_token_char(line[i])) return fail(Failure::kMalformed, "a malformed header name"), false;
  std::string_view value = line.substr(colon + 1);
  std::size_t lead = 0;
  while (lead < value.size() && (value[lead] == ' ' || value[lead] == '\t')) ++lead;
  value = trim(value);
  out_->fields.push_back({offset, static_cast<std::uint32_t>(colon), static_cast<std::uint32_t>(offset + colon + 1 + lead),
                          static_cast<std::uint32_t>(value.size())});
  // The headers that frame the body, known by their length first.
  const std::string_view name = line.substr(0, colon);
  std::optional<std::string_view>* slot = nullptr;
  switch (name.size()) {
    case 10: slot = iequals(name, "connection") ? &connection_ : nullptr; break;
    case 12: slot = iequals(name, "content-type") ? &content_type_ : nullptr; break;
    case 14: slot = iequals(name, "content-length") ? &content_length_ : nullptr; break;
    case 17: slot = iequals(name, "transfer-encoding") ? &transfer_encoding_ : nullptr; break;
    default: break;
  }
  if (slot && !*slot) *slot = value;
  return true;
}

// How the body is delimited, and whether the connection stays open.
void ResponseParser::frame_body() {
  check::Response& r = *out_;
  keep_alive_ = !http10_;
  if (connection_) {
    if (has_token(*connection_, "close")) keep_alive_ = false;
    else if (has_token(*connection_, "keep-alive")) keep_alive_ = true;
  }
  if (content_type_) r.event_stream = is_event_stream(*content_type_);
  if (head_request_ || r.status == 204 || r.status == 304) {
    state_ = State::kDone;
    return;
  }
  if (transfer_encoding_ && has_token(*transfer_encoding_, "chunked")) {
    state_ = State::kChunkSize;
    return;
  }
  if (const auto& cl = content_length_) {
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

bool ResponseParser::append_body(const char* data, std::size_t n) {
  if (out_->body.size() + n > limits_.body) {
    fail(Failure::kTooLarge, "the body is larger than " + std::to_string(limits_.body) + " bytes");
    return false;
  }
  out_->body.append(data, n);
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
