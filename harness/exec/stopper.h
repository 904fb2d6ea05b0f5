#pragma once
#include <atomic>
#include <functional>
#include <optional>

#include "harness/exec/timers.h"

namespace tollgate::exec {

/// Ends a worker's run. Every `poll` it looks: once its executors start
/// nothing more and no iteration is in flight, it closes at once. A stop
/// (the flag at 1, a first Ctrl-C) makes the executors start nothing more
/// and gives what is in flight `grace` to finish; the flag at 2 (a second
/// Ctrl-C), or the planned end plus `grace` passing, closes at once,
/// abandoning what is still in flight.
class Stopper {
 public:
  struct Options {
    TimePoint start{};
    Duration longest{0};  ///< the longest planned scenario
    Duration grace{0};    ///< the longest graceful_stop
    Duration poll = std::chrono::milliseconds(20);
  };
  struct Hooks {
    std::function<bool()> busy;         ///< an executor still starts iterations, or one is in flight
    std::function<void()> stop_starting;  ///< every executor: start nothing more
    std::function<void()> close;        ///< end what is left (connections, waits, timers)
  };

  Stopper(Timers& timers, const std::atomic<int>& flag, Options options, Hooks hooks);
  void begin();
  bool closed() const { return closed_; }

 private:
  void look();
  void close();

  Timers& timers_;
  const std::atomic<int>& flag_;
  Options options_;
  Hooks hooks_;
  std::optional<TimePoint> stop_seen_;
  bool closed_ = false;
};

}  // namespace tollgate::exec
