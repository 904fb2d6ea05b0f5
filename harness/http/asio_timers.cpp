#include "harness/http/asio_timers.h"

#include <algorithm>

namespace tollgate::http {

namespace {
bool later(const auto& a, const auto& b) { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
}  // namespace

AsioTimers::AsioTimers(boost::asio::io_context& ioc, const Clock& clock) : ioc_(ioc), clock_(clock), timer_(ioc) {}

void AsioTimers::at(exec::TimePoint t, std::function<void()> fn) {
  heap_.push_back({t, seq_++, std::move(fn)});
  std::push_heap(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return later(a, b); });
  if (t < armed_for_) arm();
}

void AsioTimers::arm() {
  armed_for_ = heap_.front().t;
  const std::uint64_t generation = ++generation_;
  timer_.expires_at(armed_for_);
  timer_.async_wait([this, generation](const boost::system::error_code& ec) {
    if (ec || generation != generation_) return;  // re-armed for an earlier one, or cleared
    fire();
  });
}

// Runs every timer that is due, in order (those they set too, when due).
void AsioTimers::fire() {
  armed_for_ = exec::TimePoint::max();
  const auto now = clock_.now();
  while (!heap_.empty() && heap_.front().t <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return later(a, b); });
    auto fn = std::move(heap_.back().fn);
    heap_.pop_back();
    fn();
  }
  if (!heap_.empty() && heap_.front().t < armed_for_) arm();
}

void AsioTimers::clear() {
  heap_.clear();
  ++generation_;
  armed_for_ = exec::TimePoint::max();
  timer_.cancel();
}

}  // namespace tollgate::http
