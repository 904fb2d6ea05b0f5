#pragma once
// exec::Timers on a FakeClock: timers run in time order, each with the
// clock moved to its instant, so executors are tested exactly, without
// sleeping.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "harness/exec/timers.h"
#include "tests/support/fake_clock.h"

namespace tollgate::test {

class FakeTimers final : public exec::Timers {
 public:
  explicit FakeTimers(FakeClock& clock) : clock_(clock) {}

  exec::TimePoint now() const override { return clock_.now(); }
  void at(exec::TimePoint t, std::function<void()> fn) override { queue_.push({t, seq_++, std::move(fn)}); }

  /// Runs every timer due up to `t` in order, the clock at each one's
  /// instant (never back), and leaves the clock at `t`.
  void run_until(exec::TimePoint t) {
    while (!queue_.empty() && queue_.top().t <= t) run_one();
    clock_.advance_to(t);
  }
  /// Runs timers until none is left, at most `limit` of them.
  std::size_t run(std::size_t limit = 10'000'000) {
    std::size_t n = 0;
    while (!queue_.empty() && n++ < limit) run_one();
    return n;
  }
  std::size_t pending() const { return queue_.size(); }
  exec::TimePoint next() const { return queue_.top().t; }

 private:
  struct Entry {
    exec::TimePoint t;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Entry& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  void run_one() {
    Entry e = queue_.top();
    queue_.pop();
    clock_.advance_to(e.t);
    e.fn();
  }

  FakeClock& clock_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::uint64_t seq_ = 0;
};

}  // namespace tollgate::test
