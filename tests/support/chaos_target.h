#pragma once
// A target that misbehaves on purpose (like Nighthawk's test server): the
// path of each request picks what it does. Serves on 127.0.0.1:0 from its
// own thread; everything it holds open ends with the object.
//   /ok             200 "ok" (keep-alive)
//   /hang           reads the request, never answers
//   /head-hang      sends a head promising 10 bytes, then nothing
//   /trickle        a 200 whose bytes come one per 100 ms
//   /endless        a chunked 200 whose body never ends
//   /latin1         503 with a Latin-1 body and a 0xFF byte
//   /sse-ff         an event stream whose event holds a 0xFF byte
//   /long-utf8      400 with a 4 KB Vietnamese body
//   /status-000     "HTTP/1.1 000"
//   /status-700     "HTTP/1.1 700"
//   /interim        100 Continue and 103 Early Hints, then 200 "ok"
//   /switching      101 with no Upgrade asked for
//   /garbage        bytes that are not HTTP
//   /close          closes without a byte
//   /reset          resets the connection (RST)
//   /after-garbage  200 "ok", then garbage on the kept-alive connection
//   /short-body     a head promising 100 bytes, 10 of them, then the close
//   /bad-chunk      a chunk size that is not hexadecimal
//   /endless-head   header lines that never end
//   /sse-endless-event  an event stream whose first event never ends
//   /sse-endless    an event stream of small events that never ends
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace tollgate::test {

class ChaosTarget {
 public:
  ChaosTarget();
  ~ChaosTarget();
  ChaosTarget(const ChaosTarget&) = delete;
  ChaosTarget& operator=(const ChaosTarget&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int connections() const { return connections_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace tollgate::test
