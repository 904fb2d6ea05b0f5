#include "harness/exec/open_model.h"

namespace tollgate::exec {

OpenModel::OpenModel(ArrivalSchedule schedule, TimePoint start, TimePoint end, int cap, int vu, Timers& timers,
                     StartIteration start_iteration)
    : schedule_(std::move(schedule)), start_(start), end_(end), cap_(cap < 1 ? 1 : cap), vu_(vu), timers_(timers),
      start_iteration_(std::move(start_iteration)) {
  for (int s = cap_ - 1; s >= 0; --s) free_slots_.push_back(s);
}

void OpenModel::begin() {
  pull();
  if (next_)
    arm();
  else
    over_ = true;
}

void OpenModel::pull() {
  const auto offset = schedule_.next();
  next_.reset();
  if (offset) {
    next_ = start_ + std::chrono::duration_cast<Duration>(*offset);
    next_number_ = schedule_.last_number();
  }
}

void OpenModel::arm() {
  armed_ = true;
  timers_.at(*next_, [this] {
    armed_ = false;
    process(false);
  });
}

// Sends every arrival that is due while a slot is free, holds the first
// that finds none, and sets a timer for the first one ahead.
void OpenModel::process(bool releasing_hold) {
  if (stopped_) {
    over_ = true;
    return;
  }
  const TimePoint now = timers_.now();
  bool held = releasing_hold;
  while (next_ && *next_ <= now) {
    if (free_slots_.empty()) {
      if (!holding_) timers_.at(end_, [this] { end_reached(); });
      holding_ = true;
      return;
    }
    send(*next_, next_number_, held);
    held = false;
    pull();
  }
  if (!next_)
    over_ = true;
  else if (!armed_)
    arm();
}

void OpenModel::send(TimePoint intended, std::uint64_t number, bool held) {
  const int slot = free_slots_.back();
  free_slots_.pop_back();
  ++in_flight_;
  if (held || timers_.now() - intended > kLateTolerance) ++counts_.late;
  start_iteration_({slot, vu_, intended, static_cast<std::int64_t>(number)});
}

void OpenModel::done(int slot) {
  --in_flight_;
  free_slots_.push_back(slot);
  // A held arrival goes out now, late, unless the end has come: then it is
  // missed (end_reached).
  if (holding_ && !stopped_ && timers_.now() < end_) {
    holding_ = false;
    process(true);
  }
}

void OpenModel::end_reached() {
  if (!holding_ || stopped_) return;
  holding_ = false;
  ++counts_.missed;  // the held one, and every arrival still ahead
  while (schedule_.next()) ++counts_.missed;
  next_.reset();
  over_ = true;
}

}  // namespace tollgate::exec
