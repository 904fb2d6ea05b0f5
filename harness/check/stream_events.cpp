#include "harness/check/stream_events.h"

#include <algorithm>

namespace tollgate::check {

void EventSplitter::reset(std::size_t max_event) {
  line_.clear();
  clear_event();
  after_cr_ = false;
  max_event_ = max_event;
  last_arrived_ = std::chrono::nanoseconds{0};
}

void EventSplitter::clear_event() {
  event_.event.clear();
  event_.data.clear();
  event_.arrived = std::chrono::nanoseconds{0};
  has_data_ = has_any_ = false;
  event_bytes_ = 0;
}

bool EventSplitter::take_field(const std::string& line, StreamEvent& into, bool& has_data) {
  if (line.front() == ':') return false;  // a comment
  const auto colon = line.find(':');
  const std::size_t name_size = colon == std::string::npos ? line.size() : colon;
  std::size_t value_at = colon == std::string::npos ? line.size() : colon + 1;
  if (value_at < line.size() && line[value_at] == ' ') ++value_at;
  const std::string_view name(line.data(), name_size), value(line.data() + value_at, line.size() - value_at);
  if (name == "data") {
    if (has_data) into.data += '\n';
    into.data += value;
    has_data = true;
  } else if (name == "event") {
    into.event = value;
  }
  return true;
}

bool EventSplitter::end_line(std::chrono::nanoseconds arrived) {
  if (!line_.empty()) {
    has_any_ = take_field(line_, event_, has_data_) || has_any_;
    line_.clear();
    return false;
  }
  // A blank line: the event ends (one with neither data nor a name is none).
  if (!has_any_) {
    clear_event();
    return false;
  }
  if (!has_data_ && event_.event.empty()) {
    clear_event();
    return false;
  }
  event_.arrived = arrived;
  return true;
}

const StreamEvent* EventSplitter::pending() const {
  tail_ = event_;
  bool has_data = has_data_, has_any = has_any_;
  if (!line_.empty()) has_any = take_field(line_, tail_, has_data) || has_any;
  if (!has_any) return nullptr;
  tail_.arrived = last_arrived_;
  return &tail_;
}

std::vector<StreamEvent> parse_event_stream(const std::string& body, const ArrivalMarks& marks, bool* incomplete) {
  std::vector<StreamEvent> out;
  EventSplitter split;
  split.reset();
  replay_marks(body, marks, [&](std::size_t from, std::size_t to, std::chrono::nanoseconds t) {
    return split.feed(body.data() + from, to - from, t, [&](const StreamEvent& e) { out.push_back(e); });
  });
  const StreamEvent* tail = split.pending();
  if (tail) out.push_back(*tail);
  if (incomplete) *incomplete = tail != nullptr;
  return out;
}

}  // namespace tollgate::check
