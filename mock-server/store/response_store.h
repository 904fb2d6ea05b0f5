#pragma once
// The Responses API's stored responses (`store: true`, the default): what
// GET /v1/responses/{id} returns and `previous_response_id` continues.
// Bounded: the oldest are forgotten past a count or a size; in memory only
// (not in --state), cleared by /_mock/reset.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace tollgate::mock {

struct StoredResponse {
  std::int64_t account = 0;    ///< only this account's keys see it
  nlohmann::json response;     ///< the Response as it was answered
  /// The conversation up to and with the answer, as chat messages (the
  /// instructions left out: they apply to one request only).
  nlohmann::json conversation;
  /// Output item id -> the chat message it stands for (`item_reference`).
  std::map<std::string, nlohmann::json> items;
};

class ResponseStore {
 public:
  explicit ResponseStore(std::size_t max_responses = 10'000, std::size_t max_bytes = std::size_t{64} << 20);

  /// Keeps `r` under `id`, forgetting the oldest beyond the bounds.
  void put(const std::string& id, StoredResponse r);
  /// The response `id` if `account` owns it.
  std::shared_ptr<const StoredResponse> get(const std::string& id, std::int64_t account) const;
  /// Forgets `id`; false when `account` has no such response.
  bool erase(const std::string& id, std::int64_t account);
  /// The chat message of output item `item_id` of one of `account`'s responses.
  std::optional<nlohmann::json> item(const std::string& item_id, std::int64_t account) const;

 private:
  struct Entry {
    std::shared_ptr<const StoredResponse> value;
    std::size_t bytes = 0;
    std::uint64_t seq = 0;  ///< when it was put: tells a live place in order_ from a stale one
  };
  void forget(const std::string& id);

  std::size_t max_responses_;
  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> by_id_;
  std::map<std::string, std::string> item_owner_;  ///< output item id -> response id
  std::deque<std::pair<std::string, std::uint64_t>> order_;  ///< (id, seq), oldest first
  std::uint64_t next_seq_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace tollgate::mock
