#pragma once
// An event stream's bytes into its events, as they arrive: lines end at
// CR, LF or CRLF; a blank line ends an event; `data:` lines join with
// '\n', `event:` names it, comments and other fields are ignored. Only
// the line and the event in the making are held, never the stream, and an
// event longer than its bound is refused before it is buffered further.
// Bytes are bytes: nothing assumes UTF-8.
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace tollgate::check {

/// (bytes of body received so far, time since the request was sent), one
/// entry per read; the body's arrival timeline.
using ArrivalMarks = std::vector<std::pair<std::size_t, std::chrono::nanoseconds>>;

struct StreamEvent {
  std::string event;  ///< the `event:` field, "" for the default
  std::string data;   ///< `data:` lines joined by '\n'
  std::chrono::nanoseconds arrived{0};  ///< since the request was sent: when its last byte came
};

class EventSplitter {
 public:
  static constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

  /// Forgets everything (keeping its buffers); events may be at most
  /// `max_event` bytes (their lines' bytes, line ends not counted).
  void reset(std::size_t max_event = kUnbounded);

  /// Takes bytes that arrived `arrived` after the request was sent and
  /// calls on_event(const StreamEvent&) for each event they complete.
  /// False (and nothing more is taken) when an event is over the bound.
  template <typename F>
  bool feed(const char* data, std::size_t n, std::chrono::nanoseconds arrived, F&& on_event) {
    last_arrived_ = arrived;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = data[i];
      if (c == '\n' || c == '\r') {
        const bool crlf = c == '\n' && after_cr_;
        after_cr_ = c == '\r';
        if (crlf) continue;
        if (end_line(arrived)) {
          on_event(const_cast<const StreamEvent&>(event_));
          clear_event();
        }
        continue;
      }
      after_cr_ = false;
      if (++event_bytes_ > max_event_) return false;
      line_ += c;
    }
    return true;
  }

  /// The body has ended: the event in the making, if any field of it came
  /// (it was not ended by a blank line), stamped with the last arrival.
  /// Null when there is none. Does not change the splitter.
  const StreamEvent* pending() const;

 private:
  bool end_line(std::chrono::nanoseconds arrived);  ///< true: an event is complete in event_
  void clear_event();
  /// One field line into an event; false for a comment.
  static bool take_field(const std::string& line, StreamEvent& into, bool& has_data);

  std::string line_;
  StreamEvent event_;
  mutable StreamEvent tail_;  ///< what pending() returns
  bool has_data_ = false, has_any_ = false;
  bool after_cr_ = false;
  std::size_t event_bytes_ = 0;
  std::size_t max_event_ = kUnbounded;
  std::chrono::nanoseconds last_arrived_{0};
};

/// Splits a whole event-stream body into events, each stamped with the
/// first mark that covers its end. An event not yet ended by a blank line
/// when the body ends is returned too, with `incomplete` set.
std::vector<StreamEvent> parse_event_stream(const std::string& body, const ArrivalMarks& marks, bool* incomplete = nullptr);

/// Calls feed(from, to, arrived) for the body's bytes read by each mark in
/// turn (bytes past the last mark: at its time).
template <typename F>
void replay_marks(const std::string& body, const ArrivalMarks& marks, F&& feed) {
  std::size_t at = 0;
  for (const auto& [bytes, t] : marks) {
    const std::size_t to = std::min(bytes, body.size());
    if (to > at) {
      if (!feed(at, to, t)) return;
      at = to;
    }
  }
  if (at < body.size()) feed(at, body.size(), marks.empty() ? std::chrono::nanoseconds{0} : marks.back().second);
}

}  // namespace tollgate::check
