#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "harness/exec/schedule.h"
#include "harness/exec/timers.h"

namespace tollgate::exec {

/// Sends later than this after its intended time counts as late.
inline constexpr std::chrono::milliseconds kLateTolerance{10};

/// The open model (constant and ramping arrival rates): iterations start at
/// their intended times whatever the answers do. When every slot is busy
/// the arrival waits for one and goes out late (its latency includes the
/// wait); an arrival still held when the scenario ends is missed, with
/// every arrival still ahead. The rate is never silently lowered: what
/// could not be sent is counted.
class OpenModel final : public Executor {
 public:
  struct Counts {
    std::int64_t late = 0;    ///< sent after intended + kLateTolerance, or after waiting for a slot
    std::int64_t missed = 0;  ///< scheduled, never sent
  };

  /// `schedule` holds this worker's arrivals, offsets from `start`; at most
  /// `cap` iterations run at once; `vu` is what {{vu}} is (the worker).
  OpenModel(ArrivalSchedule schedule, TimePoint start, TimePoint end, int cap, int vu, Timers& timers,
            StartIteration start_iteration);

  void begin() override;
  void done(int slot) override;
  void stop() override { stopped_ = true; }
  bool running() const override { return !stopped_ && !over_; }
  int slots() const override { return cap_; }
  const Counts& counts() const { return counts_; }

 private:
  void pull();  ///< the next arrival from the schedule, or none
  void arm();   ///< a timer for the next arrival
  void process(bool releasing_hold);
  void send(TimePoint intended, std::uint64_t number, bool held);
  void end_reached();

  ArrivalSchedule schedule_;
  TimePoint start_, end_;
  int cap_, vu_;
  Timers& timers_;
  StartIteration start_iteration_;
  std::vector<int> free_slots_;
  std::optional<TimePoint> next_;  ///< the next arrival's intended time
  std::uint64_t next_number_ = 0;  ///< and its number in the whole schedule
  bool armed_ = false;             ///< a timer waits for next_
  bool holding_ = false;           ///< next_ is due and every slot is busy
  bool stopped_ = false, over_ = false;
  Counts counts_;
};

}  // namespace tollgate::exec
