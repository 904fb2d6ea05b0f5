#pragma once
// The callback receiver of a run: an HTTP server (127.0.0.1:0 unless told
// otherwise) that accepts the callbacks a target sends to {{callback_url}}
// and hands each to whoever waits for it, matched by a value in its body
// (e.g. /data/taskId == the id the submit returned). Plain threads and
// callbacks: the engine turns a wait into a coroutine (harness/http).
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace tollgate::net {
class HttpServer;
}

namespace tollgate::flow {

struct Arrival {
  Clock::TimePoint at;
  nlohmann::json body;  ///< discarded when it was not JSON
  std::string raw;
  std::string content_type;
};

class CallbackHub {
 public:
  /// Called once with the callback a watcher waits for, on the thread that
  /// delivers it (or at once, when it had arrived already).
  using Notify = std::function<void(Arrival)>;

  /// `listen` is HOST:PORT; `public_url` is what targets are given (empty:
  /// http://HOST:PORT/callback of the bound address). `pointers` are the
  /// JSON Pointers callbacks are matched by.
  CallbackHub(const std::string& listen, const std::string& public_url, std::set<std::string> pointers,
              const Clock& clock = system_clock());
  ~CallbackHub();
  CallbackHub(const CallbackHub&) = delete;
  CallbackHub& operator=(const CallbackHub&) = delete;

  /// Binds and starts; throws std::runtime_error naming the address.
  void start();
  void stop();
  const std::string& url() const { return url_; }

  /// Waits for the callback whose body has `value` at `pointer`: `notify`
  /// gets it once it arrives (or at once when it has). Returns a ticket
  /// for unwatch().
  std::uint64_t watch(const std::string& pointer, const std::string& value, Notify notify);
  /// Stops waiting; false when the watcher was notified already.
  bool unwatch(std::uint64_t ticket);

  std::int64_t received() const;
  std::int64_t unmatched() const;  ///< arrived, never claimed (counted at stop)

  /// Feeds a callback as the server does (tests drive it without sockets).
  void deliver(Arrival a);

 private:
  struct Watcher {
    std::uint64_t ticket;
    Notify notify;
  };
  /// The key an arrival is matched by ("" when no pointer finds a value).
  std::string key_of(const Arrival& a) const;
  /// Keeps an arrival nobody waits for yet (the oldest dropped beyond a bound).
  void keep(const std::string& key, Arrival a);
  std::string listen_, url_;
  std::set<std::string> pointers_;
  const Clock& clock_;
  std::unique_ptr<net::HttpServer> server_;
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Watcher>> waiting_;  ///< by key, longest waiting first
  std::map<std::uint64_t, std::string> tickets_;     ///< ticket -> key
  std::map<std::string, std::deque<Arrival>> arrived_;
  std::deque<std::string> arrival_order_;  ///< keys, oldest first, for the bound on kept callbacks
  std::uint64_t next_ticket_ = 1;
  std::int64_t received_ = 0;
  std::int64_t dropped_ = 0;
};

/// The key a (pointer, value) pair is matched by.
std::string callback_key(const std::string& pointer, const nlohmann::json& value);

}  // namespace tollgate::flow
