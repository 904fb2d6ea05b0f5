#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace tollgate::mock {

/// A callback URL taken apart: http only, the mock does not speak TLS to
/// receivers.
struct CallbackTarget {
  std::string host;  ///< without brackets
  std::string port = "80";
  std::string target = "/";
};

/// Parses `url`; returns "" or what is wrong with it.
std::string parse_callback_url(std::string_view url, CallbackTarget& out);
/// Why `host` may not be called back, or "": loopback always may; other
/// hosts only when `allow` names them exactly, by "*.suffix", or "*".
std::string callback_host_problem(std::string_view host, const std::vector<std::string>& allow);

struct CallbackOptions {
  int max_attempts = 5;                     ///< the first try and 4 retries
  std::chrono::milliseconds backoff{1000};  ///< before retry n: backoff * 2^(n-1), on the mock's clock
  std::chrono::milliseconds timeout{5000};  ///< per attempt (connect, send, answer), real time
  std::vector<std::string> allow;           ///< hosts allowed besides loopback
};

/// One delivery's outcome, as the admin API and the log show it.
struct CallbackRecord {
  std::string task_id;
  std::string url;
  int attempts = 0;
  int last_status = 0;     ///< HTTP status of the last answer, 0 none
  std::string last_error;  ///< "" when delivered
  bool delivered = false;
  bool gave_up = false;
  std::int64_t next_ms = 0;  ///< when the next attempt is due
};

/// Delivers task callbacks: POSTs each body to its URL until a 2xx answer,
/// retrying errors and timeouts with exponential backoff up to
/// `max_attempts`; every outcome goes to the log. Refuses hosts that are
/// not allowed at send time too (a name could resolve elsewhere later).
class CallbackDispatcher {
 public:
  using Log = std::function<void(const std::string&)>;
  using Done = std::function<void(const std::string& task_id, bool delivered)>;
  CallbackDispatcher(const Clock& clock, CallbackOptions options, Log log, Done done);

  void enqueue(std::string task_id, std::string url, std::string body);
  /// Attempts every delivery that is due now (blocking, one at a time);
  /// returns how many attempts were made.
  std::size_t deliver_due();

  struct Counters {
    std::int64_t attempts = 0, delivered = 0, failed_attempts = 0, gave_up = 0, refused = 0;
  };
  Counters counters() const;
  /// The latest deliveries, newest last (at most 1,000 kept).
  std::vector<CallbackRecord> recent() const;
  void clear();

 private:
  struct Pending {
    CallbackRecord record;
    std::string body;
  };
  /// One POST; "" and the status on a 2xx, else what went wrong.
  std::string post(const CallbackTarget& target, const std::string& body, int& status) const;

  const Clock& clock_;
  CallbackOptions options_;
  Log log_;
  Done done_;
  mutable std::mutex mutex_;
  std::deque<Pending> pending_;
  std::deque<CallbackRecord> recent_;
  Counters counters_;
};

}  // namespace tollgate::mock
