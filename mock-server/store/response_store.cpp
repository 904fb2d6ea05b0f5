#include "mock-server/store/response_store.h"

namespace tollgate::mock {

ResponseStore::ResponseStore(std::size_t max_responses, std::size_t max_bytes)
    : max_responses_(max_responses), max_bytes_(max_bytes) {}

void ResponseStore::put(const std::string& id, StoredResponse r) {
  // The size of what is kept, as JSON text (what it costs in memory, about).
  std::size_t bytes = id.size() + r.response.dump().size() + r.conversation.dump().size();
  for (const auto& [item, message] : r.items) bytes += item.size() + message.dump().size();
  auto value = std::make_shared<const StoredResponse>(std::move(r));
  std::lock_guard lock(mutex_);
  forget(id);
  for (const auto& [item, message] : value->items) item_owner_[item] = id;
  const std::uint64_t seq = next_seq_++;
  by_id_[id] = Entry{std::move(value), bytes, seq};
  order_.emplace_back(id, seq);
  bytes_ += bytes;
  // The newest stays, even alone past the size bound.
  while (by_id_.size() > 1 && (by_id_.size() > max_responses_ || bytes_ > max_bytes_)) {
    const auto [oldest, oldest_seq] = order_.front();
    order_.pop_front();
    if (auto it = by_id_.find(oldest); it != by_id_.end() && it->second.seq == oldest_seq) forget(oldest);
  }
  // Places of erased responses go when they outnumber the live ones.
  if (order_.size() > 2 * by_id_.size() + 16)
    std::erase_if(order_, [&](const auto& place) {
      auto it = by_id_.find(place.first);
      return it == by_id_.end() || it->second.seq != place.second;
    });
}

void ResponseStore::forget(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  for (const auto& [item, message] : it->second.value->items)
    if (auto o = item_owner_.find(item); o != item_owner_.end() && o->second == id) item_owner_.erase(o);
  bytes_ -= it->second.bytes;
  by_id_.erase(it);
}

std::shared_ptr<const StoredResponse> ResponseStore::get(const std::string& id, std::int64_t account) const {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.value->account != account) return nullptr;
  return it->second.value;
}

bool ResponseStore::erase(const std::string& id, std::int64_t account) {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.value->account != account) return false;
  forget(id);  // its place in order_ is skipped when it comes up
  return true;
}

std::optional<nlohmann::json> ResponseStore::item(const std::string& item_id, std::int64_t account) const {
  std::lock_guard lock(mutex_);
  auto owner = item_owner_.find(item_id);
  if (owner == item_owner_.end()) return std::nullopt;
  auto it = by_id_.find(owner->second);
  if (it == by_id_.end() || it->second.value->account != account) return std::nullopt;
  return it->second.value->items.at(item_id);
}

}  // namespace tollgate::mock
