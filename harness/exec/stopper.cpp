#include "harness/exec/stopper.h"

namespace tollgate::exec {

Stopper::Stopper(Timers& timers, const std::atomic<int>& flag, Options options, Hooks hooks)
    : timers_(timers), flag_(flag), options_(options), hooks_(std::move(hooks)) {}

void Stopper::begin() { timers_.at(timers_.now() + options_.poll, [this] { look(); }); }

void Stopper::look() {
  if (closed_) return;
  const TimePoint now = timers_.now();
  const int stop = flag_.load();
  if (stop && !stop_seen_) {
    stop_seen_ = now;
    hooks_.stop_starting();
  }
  if (!hooks_.busy()) return close();
  const bool past_grace = (stop == 1 && now > *stop_seen_ + options_.grace) ||
                          now > options_.start + options_.longest + options_.grace;
  if (stop >= 2 || past_grace) return close();
  timers_.at(now + options_.poll, [this] { look(); });
}

void Stopper::close() {
  closed_ = true;
  hooks_.stop_starting();
  hooks_.close();
}

}  // namespace tollgate::exec
