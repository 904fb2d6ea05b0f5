#include "harness/check/stream.h"

#include <algorithm>
#include <map>

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

// What one entry of a chunk's `choices` adds: chat `delta.content` or
// completion `text`, tool-call fragments (`delta.tool_calls`), and whether
// it sets finish_reason.
struct ChoiceDelta {
  std::int64_t index = 0;
  std::string content;
  std::vector<std::pair<std::int64_t, std::string>> arguments;   ///< call index -> arguments fragment
  bool finish = false;
};

std::vector<ChoiceDelta> choice_deltas(const json& chunk) {
  std::vector<ChoiceDelta> out;
  if (!chunk.is_object() || !chunk.contains("choices") || !chunk["choices"].is_array()) return out;
  for (const auto& c : chunk["choices"]) {
    if (!c.is_object()) continue;
    ChoiceDelta d;
    if (auto i = c.find("index"); i != c.end() && i->is_number_integer()) d.index = i->get<std::int64_t>();
    if (auto delta = c.find("delta"); delta != c.end() && delta->is_object()) {
      if (auto t = delta->find("content"); t != delta->end() && t->is_string()) d.content += t->get<std::string>();
      if (auto calls = delta->find("tool_calls"); calls != delta->end() && calls->is_array())
        for (const auto& call : *calls) {
          if (!call.is_object()) continue;
          const auto k = call.contains("index") && call["index"].is_number_integer() ? call["index"].get<std::int64_t>() : 0;
          std::string fragment;
          if (auto f = call.find("function"); f != call.end() && f->is_object())
            if (auto a = f->find("arguments"); a != f->end() && a->is_string()) fragment = a->get<std::string>();
          d.arguments.emplace_back(k, std::move(fragment));
        }
    }
    if (auto t = c.find("text"); t != c.end() && t->is_string()) d.content += t->get<std::string>();
    d.finish = c.contains("finish_reason") && !c["finish_reason"].is_null();
    out.push_back(std::move(d));
  }
  return out;
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
  std::map<std::int64_t, std::size_t> finish_at;  ///< choice index -> the event that finished it
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> calls;  ///< (choice, call) -> arguments so far
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
    // Content or a tool-call delta is output: the first one is TTFT.
    bool output = false;
    for (const auto& d : choice_deltas(chunk)) {
      const bool adds = !d.content.empty() || !d.arguments.empty();
      if (adds) {
        if (auto f = finish_at.find(d.index); f != finish_at.end())
          problem(name + " carries " + (d.content.empty() ? "a tool call" : "content") + " for choice " +
                  std::to_string(d.index) + " after its finish_reason was set in event " + std::to_string(f->second) +
                  " (finish_reason must stay null until the choice's final chunk)");
        output = true;
      }
      for (const auto& [k, fragment] : d.arguments) calls[{d.index, k}] += fragment;
      if (d.finish && !finish_at.count(d.index)) finish_at[d.index] = i;
    }
    if (output) {
      ++r.content_chunks;
      if (!r.ttft) r.ttft = e.arrived;
      if (last_content) r.itl.push_back(e.arrived - *last_content);
      last_content = e.arrived;
    }
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
  if (done && finish_at.empty()) problem("no chunk set finish_reason before " + expect.done);
  // Streamed tool calls: each call's fragments join into JSON arguments.
  for (const auto& [key, arguments] : calls)
    if (json::parse(arguments, nullptr, false).is_discarded())
      problem("tool call " + std::to_string(key.second) + " of choice " + std::to_string(key.first) +
              ": the streamed arguments do not join into JSON: " + printable(arguments, 80));
  if (expect.usage && !usage_seen)
    problem("stream_options.include_usage was asked but no chunk carried usage before " + expect.done);
  if (events.empty()) problem("the stream has no events");
  r.tokens_from_usage = usage_tokens >= 0;
  r.output_tokens = usage_tokens >= 0 ? usage_tokens : r.content_chunks;
  if (r.ttft && r.output_tokens > 1) r.tpot = (end - *r.ttft) / (r.output_tokens - 1);
  return r;
}

}  // namespace tollgate::check
