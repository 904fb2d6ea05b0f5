// Bytes as a text/event-stream body: check::parse_event_stream and
// check::analyze_stream (the streaming checks and LLM timings) against
// aiproxy's chat-completions stream (its x-sse chunk schema, loaded once)
// and its Responses stream (typed events ended by an x-sse.end type),
// with fake arrival marks: one read ending at each line feed, 1 ms apart;
// and check::StreamReader fed the same bytes in small pieces, which must
// find the same events and problems wherever the reads fall. None of them
// throws; what a stream breaks is reported as problems.
#include "contract/contract.h"
#include "fuzz/fuzz_common.h"
#include "harness/check/stream.h"

using namespace tollgate;
using std::chrono::nanoseconds;

namespace {

struct Chat {
  std::shared_ptr<const contract::Contract> contract;
  const contract::MediaType* media = nullptr;  ///< chat completions: data chunks, then [DONE]
  const contract::MediaType* typed = nullptr;  ///< Responses: typed events, no [DONE]
};

const Chat& chat() {
  static const Chat c = [] {
    Chat out;
    out.contract = contract::Contract::load(TOLLGATE_FUZZ_SPEC_DIR "/aiproxy.yaml");
    for (const auto& op : out.contract->operations())
      for (const auto& r : op.responses)
        if (const auto* m = contract::find_media_type(r.content, "text/event-stream"); m && m->sse_chunk) {
          if (m->sse_end.empty() && !out.media) out.media = m;
          if (!m->sse_end.empty() && !out.typed) out.typed = m;
        }
    if (!out.media) fuzz::broken(__FILE__, __LINE__, "aiproxy.yaml has an event stream", "");
    if (!out.typed) fuzz::broken(__FILE__, __LINE__, "aiproxy.yaml has a typed event stream", "");
    return out;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string body = fuzz::text_of(data, size);
  check::ArrivalMarks marks;
  for (std::size_t i = 0; i < body.size() && marks.size() < 2048; ++i)
    if (body[i] == '\n') marks.emplace_back(i + 1, std::chrono::milliseconds(marks.size() + 1));
  marks.emplace_back(body.size(), std::chrono::milliseconds(marks.size() + 1));
  const nanoseconds end = marks.back().second + std::chrono::milliseconds(1);

  bool incomplete = false;
  const auto events = check::parse_event_stream(body, marks, &incomplete);
  std::size_t data_bytes = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    FUZZ_CHECK(i == 0 || events[i].arrived >= events[i - 1].arrived, "arrival times go back");
    FUZZ_CHECK(events[i].arrived <= marks.back().second, "");
    data_bytes += events[i].data.size();
  }
  FUZZ_CHECK(data_bytes <= body.size(), "events hold more data than the body");
  if (incomplete) FUZZ_CHECK(!events.empty(), "incomplete without an event");

  const Chat& c = chat();
  for (int variant = 0; variant < 4; ++variant) {
    check::StreamExpectations x;
    x.contract = variant == 2 ? nullptr : c.contract.get();
    x.media = variant == 2 ? nullptr : variant == 3 ? c.typed : c.media;
    x.done = variant == 2 ? std::string(c.media->sse_done.empty() ? "[DONE]" : c.media->sse_done) : "[DONE]";
    if (variant == 3) {
      x.done.clear();
      x.end = c.typed->sse_end;
    }
    x.usage = variant == 1 || variant == 3;
    x.complete = variant != 1;
    const auto r = check::analyze_stream(body, marks, end, x);
    FUZZ_CHECK(r.events == static_cast<std::int64_t>(events.size()), "");
    FUZZ_CHECK(r.problems.size() <= 8, "");
    FUZZ_CHECK(r.content_chunks <= r.events, "");
    FUZZ_CHECK(r.itl.size() == static_cast<std::size_t>(r.content_chunks > 0 ? r.content_chunks - 1 : 0), "");
    FUZZ_CHECK(r.ttft.has_value() == (r.content_chunks > 0), "");
    if (r.ttft) FUZZ_CHECK(*r.ttft >= nanoseconds{0} && *r.ttft <= end, "");
    for (const auto& gap : r.itl) FUZZ_CHECK(gap >= nanoseconds{0}, "a negative inter-token gap");
    if (!x.complete) FUZZ_CHECK(!r.problems.empty(), "a cut stream reported as conforming");
    if (r.problems.empty()) FUZZ_CHECK(r.events > 0, "");
    // Judged as it arrives, in reads that do not follow the line feeds
    // (pieces of 1 to 16 bytes, each at the time of the mark that covers
    // it), the stream reads the same: its events, chunks and problems do
    // not depend on where the reads fell.
    const std::size_t piece = 1 + (size ? data[0] % 16 : 0);
    check::StreamReader reader;
    reader.start(&x, static_cast<std::size_t>(-1));
    std::size_t m = 0;
    for (std::size_t at = 0; at < body.size(); at += piece) {
      const std::size_t n = std::min(piece, body.size() - at);
      while (m + 1 < marks.size() && marks[m].first < at + n) ++m;
      FUZZ_CHECK(reader.feed(body.data() + at, n, marks[m].second), "");
    }
    const auto live = reader.finish(end, x.complete);
    FUZZ_CHECK(live.events == r.events && live.content_chunks == r.content_chunks, "read as it arrives, other events");
    FUZZ_CHECK(live.problems == r.problems, "read as it arrives, the stream has other problems");
    FUZZ_CHECK(live.itl.size() == r.itl.size() && live.ttft.has_value() == r.ttft.has_value(), "");
  }
  return 0;
}
