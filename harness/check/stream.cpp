#include "harness/check/stream.h"

#include <algorithm>

#include "common/printable.h"

namespace tollgate::check {

using nlohmann::json;
using std::chrono::nanoseconds;

namespace {

nanoseconds arrival_of(std::size_t end_offset, const ArrivalMarks& marks) {
  for (const auto& [bytes, t] : marks)
    if (bytes >= end_offset) return t;
  return marks.empty() ? nanoseconds{0} : marks.back().second;
}

// The text a chunk adds: chat `delta.content`, or completion `text`.
std::string chunk_content(const json& chunk) {
  std::string out;
  if (!chunk.is_object() || !chunk.contains("choices") || !chunk["choices"].is_array()) return out;
  for (const auto& c : chunk["choices"]) {
    if (!c.is_object()) continue;
    if (c.contains("delta") && c["delta"].is_object() && c["delta"].contains("content") && c["delta"]["content"].is_string())
      out += c["delta"]["content"].get<std::string>();
    if (c.contains("text") && c["text"].is_string()) out += c["text"].get<std::string>();
  }
  return out;
}

bool has_finish_reason(const json& chunk) {
  if (!chunk.is_object() || !chunk.contains("choices") || !chunk["choices"].is_array()) return false;
  for (const auto& c : chunk["choices"])
    if (c.is_object() && c.contains("finish_reason") && !c["finish_reason"].is_null()) return true;
  return false;
}

}  // namespace

std::vector<StreamEvent> parse_event_stream(const std::string& body, const ArrivalMarks& marks, bool* incomplete) {
  std::vector<StreamEvent> out;
  StreamEvent cur;
  bool has_data = false, has_any = false;
  std::size_t pos = 0;
  if (incomplete) *incomplete = false;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    const bool last_line = nl == std::string::npos;
    std::string line = body.substr(pos, last_line ? std::string::npos : nl - pos);
    const std::size_t line_end = last_line ? body.size() : nl + 1;
    pos = line_end;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (has_any) {
        cur.arrived = arrival_of(line_end, marks);
        if (has_data || !cur.event.empty()) out.push_back(std::move(cur));
      }
      cur = StreamEvent{};
      has_data = has_any = false;
      continue;
    }
    if (line.front() == ':') continue;  // comment
    const auto colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    has_any = true;
    if (field == "data") {
      if (has_data) cur.data += '\n';
      cur.data += value;
      has_data = true;
    } else if (field == "event") {
      cur.event = value;
    }
  }
  if (has_any) {
    cur.arrived = arrival_of(body.size(), marks);
    out.push_back(std::move(cur));
    if (incomplete) *incomplete = true;
  }
  return out;
}

StreamReport analyze_stream(const std::string& body, const ArrivalMarks& marks, nanoseconds end,
                            const StreamExpectations& expect) {
  StreamReport r;
  r.e2e = end;
  bool incomplete = false;
  const auto events = parse_event_stream(body, marks, &incomplete);
  r.events = static_cast<std::int64_t>(events.size());
  auto problem = [&](std::string m) {
    if (r.problems.size() < 8) r.problems.push_back(std::move(m));
  };
  bool done = false, usage_seen = false;
  std::int64_t usage_tokens = -1;
  std::optional<std::size_t> finish_at;
  std::optional<nanoseconds> last_content;
  const std::string where =
      expect.media && expect.media->where ? " [" + expect.media->where.uri() + "/x-sse/chunk]" : "";
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const std::string name = "event " + std::to_string(i);
    if (done) {
      problem(name + " follows the terminator " + expect.done);
      break;
    }
    if (e.event == "error") {
      problem("in-stream error event: " + printable(e.data, 200));
      continue;
    }
    if (e.data == expect.done) {
      done = true;
      continue;
    }
    const json chunk = json::parse(e.data, nullptr, false);
    if (chunk.is_discarded()) {
      problem(name + " is not JSON: " + printable(e.data, 80));
      continue;
    }
    if (chunk.is_object() && chunk.contains("error") && !chunk.contains("choices")) {
      problem("in-stream error event: " + printable(chunk["error"].dump(-1, ' ', false, json::error_handler_t::replace), 200));
      continue;
    }
    if (expect.contract && expect.media && expect.media->sse_chunk) {
      std::vector<contract::Violation> found;
      expect.contract->validator().validate(expect.media->sse_chunk, chunk, contract::Direction::kResponse, found);
      for (const auto& v : found) problem(name + " " + v.instance_pointer + ": " + v.message + where);
    }
    const std::string content = chunk_content(chunk);
    if (!content.empty()) {
      if (finish_at)
        problem(name + " carries content after finish_reason was set in event " + std::to_string(*finish_at) +
                " (finish_reason must stay null until the final content chunk)");
      ++r.content_chunks;
      if (!r.ttft) r.ttft = e.arrived;
      if (last_content) r.itl.push_back(e.arrived - *last_content);
      last_content = e.arrived;
    }
    if (has_finish_reason(chunk) && !finish_at) finish_at = i;
    if (chunk.is_object() && chunk.contains("usage") && chunk["usage"].is_object()) {
      usage_seen = true;
      if (chunk["usage"].contains("completion_tokens") && chunk["usage"]["completion_tokens"].is_number_integer())
        usage_tokens = chunk["usage"]["completion_tokens"].get<std::int64_t>();
    }
  }
  if (!expect.complete || (incomplete && !done))
    problem("the stream was cut short after " + std::to_string(events.size()) + " event(s), before data: " + expect.done);
  else if (!done)
    problem("the stream ended after " + std::to_string(events.size()) + " event(s) without data: " + expect.done);
  if (done && !finish_at) problem("no chunk set finish_reason before " + expect.done);
  if (expect.usage && !usage_seen)
    problem("stream_options.include_usage was asked but no chunk carried usage before " + expect.done);
  if (events.empty()) problem("the stream has no events");
  r.tokens_from_usage = usage_tokens >= 0;
  r.output_tokens = usage_tokens >= 0 ? usage_tokens : r.content_chunks;
  if (r.ttft && r.output_tokens > 1) r.tpot = (end - *r.ttft) / (r.output_tokens - 1);
  return r;
}

}  // namespace tollgate::check
