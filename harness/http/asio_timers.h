#pragma once
// exec::Timers on a worker's io_context: one Asio timer for the earliest of
// many, so that a schedule of arrivals costs one timer operation each.
#include <cstdint>
#include <functional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include "harness/http/io.h"

#include "harness/exec/timers.h"

namespace tollgate::http {

class AsioTimers final : public exec::Timers {
 public:
  /// `clock` must be the real monotonic clock: Asio waits on it.
  AsioTimers(boost::asio::io_context& ioc, const Clock& clock);
  exec::TimePoint now() const override { return clock_.now(); }
  void at(exec::TimePoint t, std::function<void()> fn) override;
  /// Drops every timer not yet run (the worker is closing).
  void clear();

 private:
  struct Entry {
    exec::TimePoint t;
    std::uint64_t seq;
    std::function<void()> fn;
  };
  void arm();
  void fire();

  boost::asio::io_context& ioc_;
  const Clock& clock_;
  Timer timer_;
  std::vector<Entry> heap_;  ///< a min-heap by (t, seq)
  exec::TimePoint armed_for_ = exec::TimePoint::max();
  std::uint64_t seq_ = 0;
  std::uint64_t generation_ = 0;  ///< a completion of an older arming is ignored
};

}  // namespace tollgate::http
