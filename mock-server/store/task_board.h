#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock-server/model/records.h"

namespace tollgate::mock {

class StateDb;

/// The async tasks: the table of tasks, the timeline of their planned
/// transitions, how many each key has unfinished, the eviction of old
/// finished ones and their callback state. Tasks move with the clock:
/// `advance` makes every transition whose time has come, whoever asks.
/// Not locked: the Store's ledger lock guards it (see store.h).
class TaskBoard {
 public:
  /// Finished tasks beyond `max_tasks` are forgotten, oldest first. With
  /// `db`, every change to a task is written through to it.
  explicit TaskBoard(std::size_t max_tasks, StateDb* db = nullptr) : max_tasks_(max_tasks), db_(db) {}

  /// Unfinished tasks of a key.
  std::int64_t active(std::int64_t key_id) const;
  /// Stores a newly admitted task, queued; then forgets the oldest finished
  /// tasks beyond the bound.
  void add(Task task);
  /// Takes a task back from the state file as it was: one in flight
  /// resumes its plan (and ends at the next advance if its time passed).
  void restore(Task task);

  /// Makes every transition due at `now_ms`: queued -> processing ->
  /// succeeded | failed. `ended` sees each task that ends (to refund it) in
  /// the same state-file transaction that saves it. Returns the tasks that
  /// ended, in the order they did.
  std::vector<Task> advance(std::int64_t now_ms, const std::function<void(const Task&)>& ended);

  const Task* find(std::string_view id) const;
  /// An account's tasks of `family` submitted within [start_s, end_s], newest first.
  std::vector<Task> of(std::int64_t account, std::string_view family, std::int64_t start_s, std::int64_t end_s) const;
  /// {"queued": n, "processing": n, "succeeded": n, "failed": n}
  nlohmann::json counts() const;
  void set_callback(const std::string& task_id, CallbackState state);
  /// Finished tasks whose callback is still due, oldest first.
  std::vector<Task> due_callbacks() const;
  std::size_t size() const { return tasks_.size(); }
  std::size_t max_tasks() const { return max_tasks_; }

 private:
  void save(const Task& task);
  void evict();

  const std::size_t max_tasks_;
  StateDb* db_;
  std::unordered_map<std::string, Task> tasks_;
  std::set<std::pair<std::int64_t, std::string>> timeline_;  ///< (next transition ms, task id)
  std::unordered_map<std::int64_t, std::int64_t> active_;    ///< key id -> unfinished tasks
  std::deque<std::string> order_;                            ///< ids, oldest first, for eviction
};

}  // namespace tollgate::mock
