// The task board: transitions at their planned times whoever asks, ends
// seen once, unfinished counts per key, old finished tasks forgotten,
// callbacks due, and tasks from a state file resuming their plan.
#include "mock-server/store/task_board.h"

#include <gtest/gtest.h>

namespace tollgate::mock {
namespace {

Task planned(const std::string& id, std::int64_t key, std::int64_t created, const std::string& fail = "") {
  Task t;
  t.id = id;
  t.family = "apixo";
  t.key_id = key;
  t.account = 1;
  t.created_ms = created;
  t.start_ms = created + 250;
  t.finish_ms = created + 1000;
  t.fail_code = fail;
  return t;
}

std::vector<std::string> ids(const std::vector<Task>& tasks) {
  std::vector<std::string> out;
  for (const auto& t : tasks) out.push_back(t.id);
  return out;
}

TEST(TaskBoard, TasksMoveAtTheirPlannedTimes) {
  TaskBoard board(100);
  board.add(planned("a", 1, 0));
  std::vector<std::string> ended;
  auto advance = [&](std::int64_t now) {
    return board.advance(now, [&](const Task& t) { ended.push_back(t.id); });
  };
  EXPECT_TRUE(advance(249).empty());
  EXPECT_EQ(board.find("a")->state, TaskState::kQueued);
  EXPECT_TRUE(advance(250).empty());
  EXPECT_EQ(board.find("a")->state, TaskState::kProcessing);
  EXPECT_TRUE(advance(999).empty());
  EXPECT_EQ(board.active(1), 1);
  EXPECT_EQ(ids(advance(1000)), std::vector<std::string>{"a"});
  EXPECT_EQ(board.find("a")->state, TaskState::kSucceeded);
  EXPECT_EQ(board.active(1), 0);
  EXPECT_TRUE(advance(5000).empty()) << "an end is seen once";
  EXPECT_EQ(ended, std::vector<std::string>{"a"});
}

TEST(TaskBoard, ALateLookJumpsStraightToTheEndAndAFailCodeFails) {
  TaskBoard board(100);
  board.add(planned("ok", 1, 0));
  board.add(planned("bad", 1, 10, "CONTENT_VIOLATION"));
  std::vector<TaskState> seen;
  const auto done = board.advance(60'000, [&](const Task& t) { seen.push_back(t.state); });
  EXPECT_EQ(ids(done), (std::vector<std::string>{"ok", "bad"})) << "in the order they ended";
  EXPECT_EQ(seen, (std::vector<TaskState>{TaskState::kSucceeded, TaskState::kFailed}));
  EXPECT_EQ(board.counts(), (nlohmann::json{{"queued", 0}, {"processing", 0}, {"succeeded", 1}, {"failed", 1}}));
}

TEST(TaskBoard, UnfinishedTasksCountPerKey) {
  TaskBoard board(100);
  board.add(planned("a", 1, 0));
  board.add(planned("b", 1, 500));
  board.add(planned("c", 2, 0));
  EXPECT_EQ(board.active(1), 2);
  EXPECT_EQ(board.active(2), 1);
  EXPECT_EQ(board.active(3), 0);
  board.advance(1000, {});
  EXPECT_EQ(board.active(1), 1);
  EXPECT_EQ(board.active(2), 0);
}

TEST(TaskBoard, TheOldestFinishedTasksAreForgottenPastTheBoundUnfinishedNever) {
  TaskBoard board(2);
  board.add(planned("a", 1, 0));
  board.add(planned("b", 1, 0));
  board.add(planned("c", 1, 0));
  EXPECT_EQ(board.size(), 3u) << "an unfinished task is never forgotten";
  board.advance(1000, {});
  board.add(planned("d", 1, 1000));
  EXPECT_EQ(board.size(), 2u);
  EXPECT_EQ(board.find("a"), nullptr);
  EXPECT_EQ(board.find("b"), nullptr);
  EXPECT_NE(board.find("c"), nullptr);
  EXPECT_NE(board.find("d"), nullptr);
}

TEST(TaskBoard, AnAccountsTasksNewestFirstWithinTheirTimeRange) {
  TaskBoard board(100);
  board.add(planned("old", 1, 1'000));
  board.add(planned("mid", 1, 5'000));
  board.add(planned("new", 1, 9'000));
  Task other = planned("theirs", 1, 5'000);
  other.account = 2;
  board.add(other);
  Task media = planned("media", 1, 5'000);
  media.family = "aiapigiare";
  board.add(media);
  EXPECT_EQ(ids(board.of(1, "apixo", 0, 100)), (std::vector<std::string>{"new", "mid", "old"}));
  EXPECT_EQ(ids(board.of(1, "apixo", 5, 8)), std::vector<std::string>{"mid"});
  EXPECT_EQ(ids(board.of(1, "aiapigiare", 0, 100)), std::vector<std::string>{"media"});
}

TEST(TaskBoard, ACallbackIsDueWhenItsTaskEnds) {
  TaskBoard board(100);
  Task called = planned("called", 1, 0);
  called.callback_url = "http://127.0.0.1:9/cb";
  board.add(called);
  board.add(planned("polled", 1, 0));
  EXPECT_TRUE(board.due_callbacks().empty());
  board.advance(1000, {});
  EXPECT_EQ(board.find("called")->callback, CallbackState::kDue);
  EXPECT_EQ(board.find("polled")->callback, CallbackState::kNone);
  EXPECT_EQ(ids(board.due_callbacks()), std::vector<std::string>{"called"});
  board.set_callback("called", CallbackState::kDelivered);
  EXPECT_TRUE(board.due_callbacks().empty());
}

TEST(TaskBoard, RestoredTasksResumeTheirPlan) {
  TaskBoard board(100);
  Task queued = planned("queued", 1, 0);
  Task processing = planned("processing", 1, 0);
  processing.state = TaskState::kProcessing;
  Task done = planned("done", 1, 0);
  done.state = TaskState::kSucceeded;
  board.restore(queued);
  board.restore(processing);
  board.restore(done);
  EXPECT_EQ(board.active(1), 2);
  EXPECT_TRUE(board.advance(999, {}).empty());
  EXPECT_EQ(board.find("queued")->state, TaskState::kProcessing);
  EXPECT_EQ(ids(board.advance(1000, {})), (std::vector<std::string>{"processing", "queued"}));
  EXPECT_EQ(board.active(1), 0);
}

}  // namespace
}  // namespace tollgate::mock
