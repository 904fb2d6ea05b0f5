#pragma once
// Reads one HTTP/1.1 response from the bytes a connection receives,
// incrementally, into a check::Response, allocating nothing beyond that
// response's own (reused) buffers: the status line and header fields (kept
// as spans of the head), and the body by Content-Length, chunked framing or
// the end of the connection. Interim answers (100 Continue, 103 Early
// Hints) are skipped: the final answer is the one read. Bytes from a target
// are bytes: nothing here assumes UTF-8.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/check/response.h"

namespace tollgate::http {

class ResponseParser {
 public:
  enum class Failure {
    kNone,
    kClosedEarly,  ///< the connection ended before any byte of an answer
    kPartial,      ///< it ended in the middle of one
    kMalformed,    ///< not HTTP/1.x
    kTooLarge,     ///< head or body over its limit
  };
  struct Limits {
    std::size_t head = 64 * 1024;
    std::size_t body = 64 * 1024 * 1024;  ///< a longer body fails (as soon as that is known)
    /// Bytes of a body kept in the answer: those past it are counted and
    /// dropped, so an answer whose body no check reads costs no memory.
    std::size_t keep = static_cast<std::size_t>(-1);
    std::size_t event = 1024 * 1024;  ///< an event-stream event at most (larger: kTooLarge)
    /// `keep` for an event stream, whose events are judged as they arrive
    /// (Response::stream) whether its bytes are kept or not.
    std::size_t stream_keep = static_cast<std::size_t>(-1);
  };

  /// Starts reading an answer into `out` (cleared beforehand by the
  /// caller). `head_request`: an answer to HEAD, which has no body. An
  /// event stream is judged by `stream` (null: a plain [DONE] stream).
  void start(check::Response& out, bool head_request, Limits limits,
             const check::StreamExpectations* stream = nullptr);
  /// Consumes what it can of `data`, which arrived `arrived` after the
  /// request was sent (an event stream's events are stamped with it), and
  /// returns how much; what it leaves belongs to the next answer on the
  /// connection.
  std::size_t feed(const char* data, std::size_t size, std::chrono::nanoseconds arrived = {});
  /// The connection has ended: completes an answer delimited by it, or
  /// fails.
  void end_of_input();

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return failure_ != Failure::kNone; }
  Failure failure() const { return failure_; }
  const std::string& error() const { return error_; }
  bool head_done() const { return state_ != State::kHead && state_ != State::kFailed; }
  /// Whether the connection may carry the next request after this answer.
  bool keep_alive() const { return keep_alive_; }

 private:
  enum class State { kHead, kLength, kChunkSize, kChunkData, kChunkEnd, kTrailers, kUntilClose, kDone, kFailed };

  enum class Line { kMore, kEnd, kInterim, kFailed };
  std::size_t feed_head(const char* data, std::size_t size);
  bool append_head(const char* data, std::size_t n);
  Line head_line(const char* p, std::size_t n, std::size_t at);
  bool end_of_head();
  std::optional<std::string_view> framing(int field) const;
  bool parse_status_line(std::string_view line);
  bool parse_field(std::string_view line, std::uint32_t offset);
  void frame_body();
  std::size_t feed_body(const char* data, std::size_t size);
  bool take_line(const char* data, std::size_t size, std::size_t& used);  ///< into line_, true when whole
  bool chunk_size_line();
  bool append_body(const char* data, std::size_t n);
  void fail(Failure f, std::string why);

  check::Response* out_ = nullptr;
  Limits limits_;
  bool head_request_ = false;
  State state_ = State::kHead;
  Failure failure_ = Failure::kNone;
  std::string error_;
  std::string line_;  ///< a chunk size or trailer line in the making
  std::uint64_t remaining_ = 0;
  std::uint64_t body_bytes_ = 0;  ///< of the body so far, kept or not
  const check::StreamExpectations* stream_ = nullptr;
  std::chrono::nanoseconds arrived_{0};  ///< of the bytes being fed
  bool keep_alive_ = true;
  bool http10_ = false;
  bool seen_any_ = false;  ///< any byte of this answer arrived
  std::size_t line_start_ = 0;  ///< where the head's line in the making starts
  /// The framing headers' places in the fields, noted as they are parsed
  /// (the first of each; -1 when absent).
  int connection_ = -1, content_type_ = -1, content_length_ = -1, transfer_encoding_ = -1;
};

}  // namespace tollgate::http
