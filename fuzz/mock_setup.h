#pragma once
// The mock app the mock fuzzers share, built once as apps/tollgate-mock
// builds it (bundled spec/, the default fixture, in-memory state, the
// movable clock) with a clock that stands still unless moved (ScaledClock
// at scale 0: runs repeat exactly), and a helper that answers one request
// in-process as the HTTP server would hand it over.
#include <string>

#include "mock-server/model/scaled_clock.h"
#include "mock-server/server/mock_app.h"

namespace tollgate::fuzz {

struct Mock {
  mock::ScaledClock clock{0.0};
  mock::Fixture default_fixture = mock::load_fixture(TOLLGATE_FUZZ_FIXTURE);
  mock::MockApp app{options(), clock};

  mock::MockOptions options() {
    mock::MockOptions o;
    o.spec_dir = TOLLGATE_FUZZ_SPEC_DIR;
    o.fixture = TOLLGATE_FUZZ_FIXTURE;
    o.latency = mock::LatencyMode::kFast;
    o.max_logs = 2000;   // state stays bounded over millions of inputs
    o.max_tasks = 2000;
    o.callbacks.max_attempts = 2;
    o.callbacks.timeout = std::chrono::milliseconds(50);
    o.advance_clock = [this](std::chrono::milliseconds d) { clock.advance(d); };
    o.log = [](const std::string&) {};
    return o;
  }
};

inline Mock& mock_app() {
  static Mock* m = new Mock();  // never destroyed: no exit-time teardown races libFuzzer's
  return *m;
}

/// Hands `r` to the app and reads the whole answer, streamed pieces
/// included (at most `max_pieces` of them); returns the body's size.
inline std::size_t answer(mock::MockApp& app, net::HttpRequest r, std::size_t max_pieces = 4096) {
  if (r.remote_address.empty()) r.remote_address = "127.0.0.1";
  if (r.path.empty()) {
    const auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
  }
  net::HttpResponse res = app.handle(r);
  std::size_t bytes = res.body.size();
  if (res.stream) {
    net::StreamChunk chunk;
    for (std::size_t i = 0; i < max_pieces; ++i) {
      chunk = {};
      const bool more = res.stream->next(chunk);
      bytes += chunk.data.size();
      if (!more || chunk.abort) break;
    }
  }
  if (!(res.status >= 100 && res.status <= 599)) {
    std::fprintf(stderr, "\n== mock answered status %d to %s %s\n", res.status, r.method.c_str(), r.target.c_str());
    std::abort();
  }
  return bytes;
}

}  // namespace tollgate::fuzz
