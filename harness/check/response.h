#pragma once
// One exchange's outcome as plain data: what the connection pool saw and
// what the checks judge. Reused from request to request, so filling it
// allocates nothing once its buffers have grown.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/text.h"
#include "harness/check/stream.h"
#include "harness/metrics/step_metrics.h"

namespace tollgate::check {

struct Response {
  static constexpr std::size_t kKeptCapacity = 256 * 1024;
  /// One header field: where its name and value sit in `head`.
  struct Field {
    std::uint32_t name, name_size, value, value_size;
  };

  int status = 0;  ///< 0: no answer came
  /// How the exchange failed, if it did. A stream that broke keeps its
  /// status, headers and what arrived of its body.
  metrics::ErrorKind error = metrics::ErrorKind::kNone;
  std::string error_message;
  std::string head;           ///< the status line and header lines, as received
  std::vector<Field> fields;  ///< the header fields, in order
  /// Decoded (chunked framing removed); only its first bytes when no check
  /// reads it (ResponseParser::Limits::keep), body_size counts them all.
  std::string body;
  std::uint64_t body_size = 0;
  bool event_stream = false;  ///< Content-Type text/event-stream: judged as it arrived, in `stream`
  StreamReader stream;        ///< an event stream's events, as they came (started by the parser)
  std::int64_t bytes_in = 0, bytes_out = 0;
  /// The exchange began (before it waited for a connection), its first
  /// request byte went out, and its answer was complete (or it failed).
  Clock::TimePoint began{}, sent{}, done{};
  Clock::TimePoint first_byte{};  ///< the first byte of the answer arrived (zero: none did)
  bool aborted = false;             ///< cut by a stop: not a measurement

  std::string_view name_of(const Field& f) const { return {head.data() + f.name, f.name_size}; }
  std::string_view value_of(const Field& f) const { return {head.data() + f.value, f.value_size}; }
  /// The first header named `name` (any case).
  std::optional<std::string_view> header(std::string_view name) const {
    for (const auto& f : fields)
      if (iequals(name_of(f), name)) return value_of(f);
    return std::nullopt;
  }
  /// The headers as owned pairs, names in lower case.
  Headers headers() const {
    Headers out;
    for (const auto& f : fields) out.emplace_back(ascii_lower(name_of(f)), std::string(value_of(f)));
    return out;
  }
  /// Time from the request's first byte to the end of the answer.
  std::chrono::nanoseconds time() const { return done - sent; }

  /// Empties it for the next exchange, keeping its buffers.
  void clear() {
    status = 0;
    error = metrics::ErrorKind::kNone;
    error_message.clear();
    head.clear();
    fields.clear();
    // A buffer grown by one large answer is given back, not kept for the
    // rest of the run: memory follows what is being read.
    if (body.capacity() > kKeptCapacity) std::string().swap(body);
    body.clear();
    body_size = 0;
    event_stream = false;
    bytes_in = bytes_out = 0;
    began = sent = done = first_byte = {};
    aborted = false;
  }
};

}  // namespace tollgate::check
