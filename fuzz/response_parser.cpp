// Bytes as what a connection receives: http::ResponseParser reads answer
// after answer from them (what one answer leaves belongs to the next), fed
// in pieces whose sizes come from the first input bytes, with small
// limits, then the end of the connection. Its invariants:
//   - feed() consumes at most what it is given, and leaves bytes only
//     once the answer is done or failed;
//   - end_of_input() leaves it done or failed;
//   - once done or failed it stays so, whatever else it is fed;
//   - a done answer is a final one (status 200-599), its head and body
//     within the limits, every header field's span inside the head.
#include "fuzz/fuzz_common.h"
#include "harness/http/response_parser.h"

using namespace tollgate;
using http::ResponseParser;

namespace {

void check_answer(const ResponseParser& p, const check::Response& r, const ResponseParser::Limits& limits) {
  FUZZ_CHECK(!(p.done() && p.failed()), "done and failed at once");
  FUZZ_CHECK(r.head.size() <= limits.head, std::to_string(r.head.size()));
  FUZZ_CHECK(r.body_size <= limits.body, std::to_string(r.body_size));
  FUZZ_CHECK(r.body.size() <= r.body_size, "");
  FUZZ_CHECK(r.body.size() <= (r.event_stream ? limits.stream_keep : limits.keep), std::to_string(r.body.size()));
  // Only a done (or unfinished) answer's fields: one that failed in its head
  // may keep fields of lines parsed in place but never appended to the head
  // (found here; the pool zeroes the status of such an answer and the
  // verdict reads no header of it, so nothing reads them today).
  if (!p.failed())
    for (const auto& f : r.fields) {
      FUZZ_CHECK(static_cast<std::size_t>(f.name) + f.name_size <= r.head.size(), "a field name outside the head");
      FUZZ_CHECK(static_cast<std::size_t>(f.value) + f.value_size <= r.head.size(), "a field value outside the head");
    }
  if (p.done()) {
    FUZZ_CHECK(r.status >= 200 && r.status <= 599, std::to_string(r.status));
    (void)r.headers();
    (void)r.header("content-type");
    // A stream was judged as it came, whatever of it was kept.
    if (r.event_stream) FUZZ_CHECK(r.stream.finish(std::chrono::milliseconds(1), true).problems.size() <= 8, "");
  }
  if (p.failed()) FUZZ_CHECK(!p.error().empty() && !p.keep_alive(), p.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5 || size > 256 * 1024) return -1;
  const std::uint8_t flags = data[0];
  // Piece sizes cycle through the next four bytes (0 -> 1 byte, 255 -> 4096).
  std::size_t pieces[4];
  for (int i = 0; i < 4; ++i) pieces[i] = data[1 + i] == 255 ? 4096 : data[1 + i] + 1u;
  const char* bytes = reinterpret_cast<const char*>(data + 5);
  const std::size_t n = size - 5;

  ResponseParser::Limits limits;
  limits.head = (flags & 1) ? 256 : 8 * 1024;
  limits.body = (flags & 2) ? 300 : 64 * 1024;
  limits.keep = (flags & 4) ? 16 : static_cast<std::size_t>(-1);
  limits.event = (flags & 8) ? 64 : 16 * 1024;
  limits.stream_keep = (flags & 32) ? 16 : static_cast<std::size_t>(-1);
  const bool head_request = flags & 16;

  ResponseParser p;
  check::Response r;
  std::size_t at = 0, k = 0;
  for (int answer = 0; answer < 8; ++answer) {
    r.clear();
    p.start(r, head_request, limits);
    while (at < n && !p.done() && !p.failed()) {
      const std::size_t piece = std::min(pieces[k++ % 4], n - at);
      const std::size_t used = p.feed(bytes + at, piece);
      FUZZ_CHECK(used <= piece, std::to_string(used) + " of " + std::to_string(piece));
      FUZZ_CHECK(used == piece || p.done() || p.failed(), "bytes left while the answer goes on");
      at += used;
      check_answer(p, r, limits);
    }
    if (!p.done() && !p.failed()) {
      p.end_of_input();
      FUZZ_CHECK(p.done() || p.failed(), "end_of_input left it reading");
    }
    check_answer(p, r, limits);
    // Done or failed stays so.
    const bool was_done = p.done();
    const auto failure = p.failure();
    const auto status = r.status;
    const auto body_size = r.body_size;
    static const char more[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok0\r\n\r\n";
    (void)p.feed(more, sizeof more - 1);
    p.end_of_input();
    FUZZ_CHECK(p.done() == was_done && p.failure() == failure, "the outcome changed after it was final");
    FUZZ_CHECK(r.status == status && r.body_size == body_size, "the answer changed after it was final");
    if (p.failed() || !p.keep_alive() || at >= n) break;
  }
  return 0;
}
