#pragma once
// Where executors get time and timers: the injected time source of one
// thread. Executors never read a clock or sleep themselves, so tests run
// them on a fake clock (tests/support/fake_timers.h), exactly.
#include <cstdint>
#include <functional>

#include "common/clock.h"

namespace tollgate::exec {

using TimePoint = Clock::TimePoint;
using Duration = Clock::Duration;

class Timers {
 public:
  virtual ~Timers() = default;
  virtual TimePoint now() const = 0;
  /// Calls `fn` once at `t`, or as soon after as its thread gets to it (at
  /// once, in order, when `t` has passed). Timers due at the same instant
  /// run in the order they were set.
  virtual void at(TimePoint t, std::function<void()> fn) = 0;
};

/// What an executor starts: one iteration of the scenario's steps.
struct IterationStart {
  int slot = 0;            ///< which of the worker's runners runs it (0 .. slots-1)
  int vu = 0;              ///< the virtual user ({{vu}}); the open model: the worker
  TimePoint intended{};    ///< when it should have started: latency counts from here
  /// Its number in the whole run ({{iteration}}, data rows): the open
  /// model's arrival number; -1: the next of the scenario's count.
  std::int64_t iteration = -1;
};

/// The one narrow way executors start iterations; the engine calls the
/// executor's done(slot) when that iteration has ended.
using StartIteration = std::function<void(const IterationStart&)>;

/// An open or closed model executor of one scenario on one worker.
class Executor {
 public:
  virtual ~Executor() = default;
  /// Sets the first timers (nothing starts before the timers run).
  virtual void begin() = 0;
  /// The iteration running in `slot` has ended.
  virtual void done(int slot) = 0;
  /// Starts nothing more (a stop, or the end of the run).
  virtual void stop() = 0;
  /// True until it will start nothing more.
  virtual bool running() const = 0;
  /// How many runners it may use at once.
  virtual int slots() const = 0;
  int in_flight() const { return in_flight_; }

 protected:
  int in_flight_ = 0;
};

}  // namespace tollgate::exec
