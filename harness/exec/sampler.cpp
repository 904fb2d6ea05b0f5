#include "harness/exec/sampler.h"

#include <algorithm>

namespace tollgate::exec {

namespace {
void add_optional(std::vector<std::optional<metrics::Histogram>>& into, const std::vector<std::optional<metrics::Histogram>>& from) {
  if (into.size() < from.size()) into.resize(from.size());
  for (std::size_t k = 0; k < from.size(); ++k)
    if (from[k]) {
      if (!into[k]) into[k].emplace();
      into[k]->add(*from[k]);
    }
}
}  // namespace

std::pair<metrics::Histogram*, metrics::Histogram*> IntervalData::stream_histograms(std::size_t k) {
  if (ttft_us.size() <= k) ttft_us.resize(std::max(latency_us.size(), k + 1));
  if (itl_us.size() <= k) itl_us.resize(ttft_us.size());
  if (!ttft_us[k]) ttft_us[k].emplace();
  if (!itl_us[k]) itl_us[k].emplace();
  return {&*ttft_us[k], &*itl_us[k]};
}

void IntervalData::add(const IntervalData& o) {
  for (std::size_t k = 0; k < latency_us.size() && k < o.latency_us.size(); ++k) {
    latency_us[k].add(o.latency_us[k]);
    requests[k] += o.requests[k];
    errors[k] += o.errors[k];
    for (std::size_t e = 0; e < error_kinds[k].size(); ++e) error_kinds[k][e] += o.error_kinds[k][e];
    checks_passed[k] += o.checks_passed[k];
    checks_failed[k] += o.checks_failed[k];
  }
  in_flight += o.in_flight;
  add_optional(ttft_us, o.ttft_us);
  add_optional(itl_us, o.itl_us);
}

void IntervalData::reset() {
  for (auto& h : latency_us) h.reset();
  for (auto& h : ttft_us)
    if (h) h->reset();
  for (auto& h : itl_us)
    if (h) h->reset();
  std::fill(requests.begin(), requests.end(), 0);
  std::fill(errors.begin(), errors.end(), 0);
  for (auto& e : error_kinds) e.fill(0);
  std::fill(checks_passed.begin(), checks_passed.end(), 0);
  std::fill(checks_failed.begin(), checks_failed.end(), 0);
  in_flight = 0;
}

IntervalTicker::IntervalTicker(Timers& timers, TimePoint start, Duration period,
                               std::function<void(std::int64_t)> on_tick)
    : timers_(timers), start_(start), period_(period), on_tick_(std::move(on_tick)) {}

void IntervalTicker::arm() {
  timers_.at(start_ + period_ * next_, [this] {
    if (stopped_) return;
    on_tick_(next_++);
    arm();
  });
}

Sampler::Sampler(int workers, std::size_t steps, Duration period)
    : steps_(steps),
      period_s_(std::chrono::duration<double>(period).count()),
      delivered_(static_cast<std::size_t>(workers), 0),
      last_tick_(static_cast<std::size_t>(workers), 0) {}

void Sampler::deliver(int worker, std::int64_t tick, IntervalData data, bool last, double end_s) {
  {
    std::lock_guard lock(mu_);
    const auto w = static_cast<std::size_t>(worker);
    auto [it, fresh] = pending_.try_emplace(tick);
    if (fresh) it->second.data = IntervalData(steps_);
    it->second.data.add(data);
    if (last) {
      last_tick_[w] = tick;
      it->second.last_end_s = std::max(it->second.last_end_s, end_s);
    } else {
      delivered_[w] = std::max(delivered_[w], tick);
    }
  }
  changed_.notify_one();
}

// Every worker has given its figures for `tick`, or has ended: an ended
// worker has given all it has (its last figures may fall in a later tick
// when it ended just after a tick it did not live to see).
bool Sampler::complete(std::int64_t tick) const {
  for (std::size_t w = 0; w < delivered_.size(); ++w)
    if (delivered_[w] < tick && last_tick_[w] == 0) return false;
  return true;
}

bool Sampler::all_ended() const {
  return std::all_of(last_tick_.begin(), last_tick_.end(), [](std::int64_t t) { return t > 0; });
}

void Sampler::run(const std::function<void(const Interval&)>& emit) {
  std::unique_lock lock(mu_);
  while (true) {
    changed_.wait(lock, [this] { return complete(next_) || all_ended(); });
    const bool ended = all_ended();
    const std::int64_t final_tick = ended ? *std::max_element(last_tick_.begin(), last_tick_.end()) : 0;
    if (ended && next_ > final_tick) return;
    if (!complete(next_)) continue;
    auto node = pending_.extract(next_);
    Pending p = node ? std::move(node.mapped()) : Pending{IntervalData(steps_), 0};
    Interval point;
    point.tick = next_;
    point.start_s = static_cast<double>(next_ - 1) * period_s_;
    point.last = ended && next_ == final_tick;
    point.end_s = point.last ? p.last_end_s : static_cast<double>(next_) * period_s_;
    point.data = &p.data;
    ++next_;
    lock.unlock();
    if (!point.last || point.end_s - point.start_s > 0.001) emit(point);
    lock.lock();
  }
}

}  // namespace tollgate::exec
