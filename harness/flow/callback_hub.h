#pragma once
// The callback receiver of a run: an HTTP server (127.0.0.1:0 unless told
// otherwise) that accepts the callbacks a target sends to {{callback_url}}
// and hands each to the iteration waiting for it, matched by a value in
// its body (e.g. /data/taskId == the id the submit returned).
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "net/coro.h"

namespace tollgate::net {
class HttpServer;
}

namespace tollgate::flow {

struct Arrival {
  std::chrono::steady_clock::time_point at;
  nlohmann::json body;  ///< discarded when it was not JSON
  std::string raw;
  std::string content_type;
};

class CallbackHub {
 public:
  /// `listen` is HOST:PORT; `public_url` is what targets are given (empty:
  /// http://HOST:PORT/callback of the bound address). `pointers` are the
  /// JSON Pointers callbacks are matched by.
  CallbackHub(const std::string& listen, const std::string& public_url, std::set<std::string> pointers);
  ~CallbackHub();
  CallbackHub(const CallbackHub&) = delete;
  CallbackHub& operator=(const CallbackHub&) = delete;

  /// Binds and starts; throws std::runtime_error naming the address.
  void start();
  void stop();
  const std::string& url() const { return url_; }

  /// Waits on `executor` until a callback whose body has `value` at
  /// `pointer` arrives (or has arrived), or until `timeout`.
  net::Awaitable<std::optional<Arrival>> wait(boost::asio::any_io_executor executor, const std::string& pointer,
                                              const std::string& value, std::chrono::nanoseconds timeout);

  /// Ends every wait running on `executor` now (the run is stopping).
  void cancel_waits(const boost::asio::any_io_executor& executor);

  std::int64_t received() const;
  std::int64_t unmatched() const;  ///< arrived, never claimed (counted at stop)

  /// Feeds a callback as the server does (tests drive it without sockets).
  void deliver(Arrival a);

 private:
  struct Waiter;
  std::string listen_, url_;
  std::set<std::string> pointers_;
  std::unique_ptr<net::HttpServer> server_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Waiter>> waiting_;
  std::map<std::string, std::deque<Arrival>> arrived_;
  std::deque<std::string> arrival_order_;  ///< keys, oldest first, for the bound on kept callbacks
  std::int64_t received_ = 0;
  std::int64_t dropped_ = 0;
};

/// The key a (pointer, value) pair is matched by.
std::string callback_key(const std::string& pointer, const nlohmann::json& value);

}  // namespace tollgate::flow
