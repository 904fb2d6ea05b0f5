#include "mock-server/store/task_board.h"

#include "mock-server/state/state_db.h"

namespace tollgate::mock {

void TaskBoard::save(const Task& task) {
  if (db_) db_->save_task(task);
}

std::int64_t TaskBoard::active(std::int64_t key_id) const {
  auto it = active_.find(key_id);
  return it == active_.end() ? 0 : it->second;
}

void TaskBoard::add(Task task) {
  task.state = TaskState::kQueued;
  ++active_[task.key_id];
  save(task);
  timeline_.emplace(task.start_ms, task.id);
  order_.push_back(task.id);
  tasks_.emplace(task.id, std::move(task));
  evict();
}

void TaskBoard::evict() {
  while (tasks_.size() > max_tasks_ && !order_.empty()) {
    auto it = tasks_.find(order_.front());
    if (it != tasks_.end() && !it->second.finished()) break;
    if (it != tasks_.end()) tasks_.erase(it);
    order_.pop_front();
  }
}

void TaskBoard::restore(Task t) {
  if (!t.finished()) {
    ++active_[t.key_id];
    timeline_.emplace(t.state == TaskState::kQueued ? t.start_ms : t.finish_ms, t.id);
  }
  order_.push_back(t.id);
  tasks_.emplace(t.id, std::move(t));
}

std::vector<Task> TaskBoard::advance(std::int64_t now, const std::function<void(const Task&)>& ended) {
  std::vector<Task> finished;
  while (!timeline_.empty() && timeline_.begin()->first <= now) {
    const std::string id = timeline_.begin()->second;
    timeline_.erase(timeline_.begin());
    auto it = tasks_.find(id);
    if (it == tasks_.end()) continue;
    Task& t = it->second;
    if (t.state == TaskState::kQueued) {
      t.state = TaskState::kProcessing;
      timeline_.emplace(t.finish_ms, t.id);
      if (t.finish_ms > now) continue;
      timeline_.erase({t.finish_ms, t.id});
    }
    if (t.state != TaskState::kProcessing) continue;
    t.state = t.fail_code.empty() ? TaskState::kSucceeded : TaskState::kFailed;
    StateTxn txn(db_);
    if (ended) ended(t);
    if (auto a = active_.find(t.key_id); a != active_.end() && --a->second <= 0) active_.erase(a);
    if (!t.callback_url.empty()) t.callback = CallbackState::kDue;
    save(t);
    finished.push_back(t);
  }
  return finished;
}

const Task* TaskBoard::find(std::string_view id) const {
  auto it = tasks_.find(std::string(id));
  return it == tasks_.end() ? nullptr : &it->second;
}

std::vector<Task> TaskBoard::of(std::int64_t account, std::string_view family, std::int64_t start_s,
                                std::int64_t end_s) const {
  std::vector<Task> out;
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const Task* t = find(*it);
    if (!t || t->account != account || t->family != family) continue;
    const std::int64_t s = t->created_ms / 1000;
    if (s >= start_s && s <= end_s) out.push_back(*t);
  }
  return out;
}

nlohmann::json TaskBoard::counts() const {
  std::int64_t n[4] = {0, 0, 0, 0};
  for (const auto& [id, t] : tasks_) ++n[static_cast<int>(t.state)];
  return {{"queued", n[0]}, {"processing", n[1]}, {"succeeded", n[2]}, {"failed", n[3]}};
}

void TaskBoard::set_callback(const std::string& task_id, CallbackState state) {
  if (auto it = tasks_.find(task_id); it != tasks_.end()) {
    it->second.callback = state;
    save(it->second);
  }
}

std::vector<Task> TaskBoard::due_callbacks() const {
  std::vector<Task> out;
  for (const auto& id : order_)
    if (const Task* t = find(id); t && t->callback == CallbackState::kDue) out.push_back(*t);
  return out;
}

}  // namespace tollgate::mock
