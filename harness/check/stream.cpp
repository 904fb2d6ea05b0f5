#include "harness/check/stream.h"

#include <algorithm>
#include <map>

#include "common/printable.h"
#include "contract/lint.h"

namespace tollgate::check {

using nlohmann::json;
using std::chrono::nanoseconds;

namespace {

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

namespace {

const std::string* string_at(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// A typed event's output: `X.delta` events with a string `delta` (output
// text, refusals, function-call arguments) join per item and content part
// into what the matching `X.done` event carries in full.
struct TypedJoin {
  std::string joined;
  bool done = false;
  bool arguments = false;  ///< function-call arguments: must be JSON
};

std::string join_key(const std::string& prefix, const json& e) {
  std::string key = prefix + '\n';
  if (const auto* id = string_at(e, "item_id")) key += *id;
  else if (e.contains("output_index")) key += e["output_index"].dump();
  if (e.contains("content_index")) key += '\n' + e["content_index"].dump();
  return key;
}

void add_problem(StreamReport& r, std::string m) {
  if (r.problems.size() < 8) r.problems.push_back(std::move(m));
}

}  // namespace

// What a stream has shown so far: enough to judge the next event and to
// report at the end, and nothing of the events themselves.
struct StreamReader::State {
  const StreamExpectations* expect = nullptr;
  StreamReport r;
  bool done = false, after_end = false, usage_seen = false, saw_choices = false;
  std::int64_t usage_tokens = -1;
  std::optional<json> last_usage;  // a copy: each event's JSON ends with its turn
  std::optional<std::int64_t> last_sequence;
  std::map<std::int64_t, std::int64_t> finish_at;  ///< choice index -> the event that finished it
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> calls;  ///< (choice, call) -> arguments so far
  std::map<std::string, TypedJoin> joins;  ///< typed streams: per item and part, the deltas so far
  std::optional<nanoseconds> last_content;

  bool typed() const { return expect->done.empty() && !expect->end.empty(); }
  std::string final_name() const {
    return typed() ? "an event of type " + contract::join_types(expect->end) : "data: " + expect->done;
  }
  void problem(std::string m) { add_problem(r, std::move(m)); }
  void collect(const std::string& text) {
    if (r.content.size() < kMaxAnswer) r.content.append(text, 0, utf8_cut(text, kMaxAnswer - r.content.size()));
  }
  void event(const StreamEvent& e);
  StreamReport end(nanoseconds end, bool complete, bool incomplete) const;
};

namespace {
const StreamExpectations& default_expectations() {
  static const StreamExpectations plain;
  return plain;
}
}  // namespace

void StreamReader::State::event(const StreamEvent& e) {
  const std::int64_t i = r.events++;
  const auto name = [i] { return "event " + std::to_string(i); };  // built only for a problem
  if (done) {
    // Only the first event past the end is a problem; the rest are counted.
    if (!after_end) problem(name() + " follows " + (typed() ? "the final event" : "the terminator " + expect->done));
    after_end = true;
    return;
  }
  if (e.event == "error") {
    problem("in-stream error event: " + printable(e.data, 200));
    return;
  }
  if (!expect->done.empty() && e.data == expect->done) {
    done = true;
    return;
  }
  const json chunk = json::parse(e.data, nullptr, false);
  if (chunk.is_discarded()) {
    problem(name() + " is not JSON: " + printable(e.data, 80));
    return;
  }
  if (chunk.is_object() && chunk.contains("error") && !chunk["error"].is_null() && !chunk.contains("choices")) {
    problem("in-stream error event: " + printable(chunk["error"].dump(-1, ' ', false, json::error_handler_t::replace), 200));
    return;
  }
  const std::string* type = string_at(chunk, "type");
  if (type && *type == "error") {
    problem("in-stream error event: " + printable(chunk.dump(-1, ' ', false, json::error_handler_t::replace), 200));
    return;
  }
  if (type && !e.event.empty() && e.event != *type)
    problem(name() + " is named '" + printable(e.event, 60) + "' but its data's type is '" + printable(*type, 60) + "'");
  if (expect->contract && expect->media && expect->media->sse_chunk) {
    std::vector<contract::Violation> found;
    expect->contract->validator().validate(expect->media->sse_chunk, chunk, contract::Direction::kResponse, found);
    const std::string where = expect->media->where ? " [" + expect->media->where.uri() + "/x-sse/chunk]" : "";
    for (const auto& v : found) problem(name() + " " + v.instance_pointer + ": " + v.message + where);
  }
  if (chunk.is_object())
    if (auto seq = chunk.find("sequence_number"); seq != chunk.end() && seq->is_number_integer()) {
      const auto n = seq->get<std::int64_t>();
      if (last_sequence && n <= *last_sequence)
        problem(name() + " has sequence_number " + std::to_string(n) + ", not above the previous event's " +
                std::to_string(*last_sequence));
      last_sequence = n;
    }
  // Content or a tool-call delta is output: the first one is TTFT.
  bool output = false;
  if (chunk.is_object() && chunk.contains("choices") && chunk["choices"].is_array()) saw_choices = true;
  for (const auto& d : choice_deltas(chunk)) {
    const bool adds = !d.content.empty() || !d.arguments.empty();
    if (adds) {
      if (auto f = finish_at.find(d.index); f != finish_at.end())
        problem(name() + " carries " + (d.content.empty() ? "a tool call" : "content") + " for choice " +
                std::to_string(d.index) + " after its finish_reason was set in event " + std::to_string(f->second) +
                " (finish_reason must stay null until the choice's final chunk)");
      output = true;
    }
    for (const auto& [k, fragment] : d.arguments) calls[{d.index, k}] += fragment;
    if (expect->collect && d.index == 0) collect(d.content);
    if (d.finish && !finish_at.count(d.index)) finish_at[d.index] = i;
  }
  if (type && type->ends_with(".delta")) {
    if (const auto* delta = string_at(chunk, "delta")) {
      const std::string prefix = type->substr(0, type->size() - 6);
      TypedJoin& j = joins[join_key(prefix, chunk)];
      if (j.done)
        problem(name() + " (" + printable(*type, 60) + ") comes after its " + printable(prefix, 60) + ".done event");
      j.joined += *delta;
      j.arguments = prefix.ends_with("function_call_arguments");
      if (expect->collect && prefix == "response.output_text") collect(*delta);
      if (!delta->empty()) output = true;
    }
  } else if (type && type->ends_with(".done")) {
    const std::string prefix = type->substr(0, type->size() - 5);
    const std::string* whole = nullptr;
    for (const char* field : {"text", "arguments", "refusal"})
      if ((whole = string_at(chunk, field))) break;
    if (whole) {
      TypedJoin& j = joins[join_key(prefix, chunk)];
      j.arguments = prefix.ends_with("function_call_arguments");
      if (j.joined != *whole)
        problem(name() + " (" + printable(*type, 60) + ") carries \"" + printable(*whole, 60) +
                "\" but the deltas before it join into \"" + printable(j.joined, 60) + "\"");
      j.joined = *whole;
      j.done = true;
    }
  }
  if (output) {
    ++r.content_chunks;
    if (!r.ttft) r.ttft = e.arrived;
    if (last_content) r.itl.push_back(e.arrived - *last_content);
    last_content = e.arrived;
  }
  // Usage: a chat chunk's `usage` (completion_tokens), or a typed event's
  // `response.usage` (output_tokens).
  const json* usage = nullptr;
  if (chunk.is_object() && chunk.contains("usage") && chunk["usage"].is_object()) usage = &chunk["usage"];
  else if (chunk.is_object() && chunk.contains("response") && chunk["response"].is_object() &&
           chunk["response"].contains("usage") && chunk["response"]["usage"].is_object())
    usage = &chunk["response"]["usage"];
  if (usage) {
    usage_seen = true;
    last_usage = *usage;
    for (const char* field : {"completion_tokens", "output_tokens"})
      if (usage->contains(field) && (*usage)[field].is_number_integer()) usage_tokens = (*usage)[field].get<std::int64_t>();
  }
  if (typed() && type && std::find(expect->end.begin(), expect->end.end(), *type) != expect->end.end()) {
    done = true;
    if (*type == "response.failed") {
      const json* err = chunk.contains("response") && chunk["response"].is_object() && chunk["response"].contains("error")
                            ? &chunk["response"]["error"] : nullptr;
      problem("the response failed: " +
              (err ? printable(err->dump(-1, ' ', false, json::error_handler_t::replace), 200) : std::string("no error given")));
    }
  }
}

StreamReport StreamReader::State::end(nanoseconds end, bool complete, bool incomplete) const {
  StreamReport out = r;
  out.e2e = end;
  auto problem = [&](std::string m) { add_problem(out, std::move(m)); };
  const std::string events = std::to_string(r.events);
  if (!complete || (incomplete && !done))
    problem("the stream was cut short after " + events + " event(s), before " + final_name());
  else if (!done)
    problem("the stream ended after " + events + " event(s) without " + final_name());
  if (done && saw_choices && finish_at.empty()) problem("no chunk set finish_reason before " + final_name());
  // Streamed tool calls: each call's fragments join into JSON arguments.
  for (const auto& [key, arguments] : calls)
    if (json::parse(arguments, nullptr, false).is_discarded())
      problem("tool call " + std::to_string(key.second) + " of choice " + std::to_string(key.first) +
              ": the streamed arguments do not join into JSON: " + printable(arguments, 80));
  for (const auto& [key, j] : joins)
    if (j.arguments && json::parse(j.joined, nullptr, false).is_discarded())
      problem("function call " + printable(key.substr(key.find('\n') + 1), 60) +
              ": the streamed arguments do not join into JSON: " + printable(j.joined, 80));
  if (expect->usage && !usage_seen)
    problem("stream_options.include_usage was asked but no chunk carried usage before " + final_name());
  // Token accounting: what usage says against what was streamed.
  if (last_usage)
    for (const auto& p : usage_problems(*last_usage, r.content_chunks)) problem(p);
  if (r.events == 0) problem("the stream has no events");
  out.tokens_from_usage = usage_tokens >= 0;
  out.output_tokens = usage_tokens >= 0 ? usage_tokens : r.content_chunks;
  if (out.ttft && out.output_tokens > 1) out.tpot = (end - *out.ttft) / (out.output_tokens - 1);
  return out;
}

StreamReader::StreamReader() : state_(std::make_unique<State>()) {
  split_.reset();
  state_->expect = &default_expectations();
}
StreamReader::~StreamReader() = default;
StreamReader::StreamReader(const StreamReader& other)
    : split_(other.split_), state_(std::make_unique<State>(other.state_ ? *other.state_ : State{})) {
  if (!state_->expect) state_->expect = &default_expectations();
}
StreamReader& StreamReader::operator=(const StreamReader& other) {
  if (this != &other) *this = StreamReader(other);
  return *this;
}
StreamReader::StreamReader(StreamReader&&) noexcept = default;
StreamReader& StreamReader::operator=(StreamReader&&) noexcept = default;

void StreamReader::start(const StreamExpectations* expect, std::size_t max_event) {
  split_.reset(max_event);
  if (!state_) state_ = std::make_unique<State>();  // moved from
  State& s = *state_;
  s.expect = expect ? expect : &default_expectations();
  s.r.problems.clear();
  s.r.events = s.r.content_chunks = s.r.output_tokens = 0;
  s.r.tokens_from_usage = false;
  s.r.ttft.reset();
  s.r.tpot.reset();
  s.r.e2e = nanoseconds{0};
  s.r.content.clear();
  if (s.r.itl.capacity() > 4096) std::vector<nanoseconds>().swap(s.r.itl);
  s.r.itl.clear();
  s.done = s.after_end = s.usage_seen = s.saw_choices = false;
  s.usage_tokens = -1;
  s.last_usage.reset();
  s.last_sequence.reset();
  s.finish_at.clear();
  s.calls.clear();
  s.joins.clear();
  s.last_content.reset();
}

bool StreamReader::feed(const char* data, std::size_t n, nanoseconds arrived) {
  return split_.feed(data, n, arrived, [this](const StreamEvent& e) { state_->event(e); });
}

StreamReport StreamReader::finish(nanoseconds end, bool complete) const {
  if (!state_) return StreamReader().finish(end, complete);  // moved from: nothing came
  if (const StreamEvent* tail = split_.pending()) {  // cut inside an event: judge it as it is, on a copy
    State s = *state_;
    s.event(*tail);
    return s.end(end, complete, true);
  }
  return state_->end(end, complete, false);
}

StreamReport analyze_stream(const std::string& body, const ArrivalMarks& marks, nanoseconds end,
                            const StreamExpectations& expect) {
  StreamReader reader;
  reader.start(&expect, EventSplitter::kUnbounded);
  replay_marks(body, marks, [&](std::size_t from, std::size_t to, nanoseconds t) {
    return reader.feed(body.data() + from, to - from, t);
  });
  return reader.finish(end, expect.complete);
}

std::vector<std::string> usage_problems(const json& usage, std::int64_t content_chunks) {
  std::vector<std::string> out;
  const auto count = [&](const char* field) -> std::optional<std::int64_t> {
    if (usage.contains(field) && usage[field].is_number_integer()) return usage[field].get<std::int64_t>();
    return std::nullopt;
  };
  // Chat Completions name them prompt/completion, the Responses API input/output.
  const bool chat = usage.contains("completion_tokens") || usage.contains("prompt_tokens");
  const auto in = count(chat ? "prompt_tokens" : "input_tokens");
  const auto made = count(chat ? "completion_tokens" : "output_tokens");
  const auto total = count("total_tokens");
  const std::string in_name = chat ? "prompt_tokens" : "input_tokens", out_name = chat ? "completion_tokens" : "output_tokens";
  if (in && made && total && *total != *in + *made)
    out.push_back("usage: total_tokens " + std::to_string(*total) + " is not " + in_name + " + " + out_name + " (" +
                  std::to_string(*in) + " + " + std::to_string(*made) + ")");
  for (const auto& [name, v] : {std::pair{in_name, in}, std::pair{out_name, made}, std::pair{std::string("total_tokens"), total}})
    if (v && *v < 0) out.push_back("usage: " + name + " is negative (" + std::to_string(*v) + ")");
  // Every chunk that carried output carried at least one token.
  if (made && content_chunks >= 0 && *made < content_chunks)
    out.push_back("usage: " + out_name + " " + std::to_string(*made) + " is fewer than the " +
                  std::to_string(content_chunks) + " chunks that carried output (each holds a token at least)");
  return out;
}

}  // namespace tollgate::check
