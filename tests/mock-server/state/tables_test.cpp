// The state file's format is schema version 1, exactly: a file written by
// the mock before its tables were described once still loads, the tables
// the mock creates have the same columns, and every record and the task's
// JSON come back as they were saved.
#include "mock-server/state/state_db.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace tollgate::mock {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The schema and rows as the mock wrote them up to schema version 1's
// first release (positional INSERTs, the task as one JSON document).
constexpr const char* kVersion1 = R"(
CREATE TABLE accounts (id INTEGER PRIMARY KEY, username TEXT NOT NULL, display_name TEXT, email TEXT,
  access_key TEXT NOT NULL, telegram_id TEXT, role INTEGER, quota INTEGER NOT NULL, used_quota INTEGER NOT NULL,
  request_count INTEGER NOT NULL, aimichat_daily_credits INTEGER NOT NULL);
CREATE TABLE keys (id INTEGER PRIMARY KEY, account INTEGER NOT NULL, key TEXT NOT NULL UNIQUE, name TEXT,
  families TEXT NOT NULL, status INTEGER NOT NULL, remain_quota INTEGER NOT NULL, unlimited_quota INTEGER NOT NULL,
  used_quota INTEGER NOT NULL, expired_time INTEGER NOT NULL, created_time INTEGER NOT NULL,
  accessed_time INTEGER NOT NULL, rate_limit_per_minute INTEGER NOT NULL, max_concurrent_tasks INTEGER NOT NULL);
CREATE TABLE logs (id INTEGER PRIMARY KEY, account INTEGER NOT NULL, created_at INTEGER NOT NULL,
  type INTEGER NOT NULL, content TEXT, username TEXT, token_name TEXT, model_name TEXT, quota INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL);
CREATE TABLE tasks (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE credits (account INTEGER PRIMARY KEY, day INTEGER NOT NULL, used INTEGER NOT NULL);
PRAGMA application_id=1416588396; PRAGMA user_version=1;
INSERT INTO accounts VALUES (1, 'demo', 'Demo User', 'demo@example.com', 'demo-access-key', 't-1', 10, 4000, 1000, 7, 100);
INSERT INTO keys VALUES (3, 1, 'sk-demo', 'demo', '["aiproxy","aiapigiare"]', 4, 0, 0, 1000, -1, 1700000000, 1767225600,
  60, 1000);
INSERT INTO logs VALUES (9, 1, 1767225600, 2, 'chat completion', 'demo', 'demo', 'gpt-4o-mini', 1000, 12, 30);
INSERT INTO tasks VALUES ('task_1', '{"account":1,"attempts":[["official",false,"down"],["fal-ai",true,""]],
  "base_url":"http://127.0.0.1:8080","callback":1,"callback_url":"http://127.0.0.1:9/cb","created_ms":1000,
  "expires_ms":0,"extra":{"format":"webp"},"fail_code":"","fail_msg":"","family":"aiapigiare",
  "finish_ms":3000,"id":"task_1","images":[[1536,1024,1,12345678901234567890]],"key_id":3,"key_name":"demo",
  "model":"gpt-image","prompt":"a fox","quota":20000,"source":"fal-ai","start_ms":1500,"state":2}');
INSERT INTO credits VALUES (1, 20454, 3);
)";

class StateTables : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-tables-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  /// Runs `sql` on a new SQLite file and closes it.
  std::string file_with(const std::string& name, const char* sql) {
    const std::string path = (dir_ / name).string();
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
    return path;
  }
  /// "name type notnull pk" of every column of every table, in order.
  static std::vector<std::string> columns_of(const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    std::vector<std::string> out;
    for (const char* table : {"accounts", "keys", "logs", "tasks", "credits"}) {
      sqlite3_stmt* s = nullptr;
      sqlite3_prepare_v2(db, (std::string("PRAGMA table_info(") + table + ")").c_str(), -1, &s, nullptr);
      while (sqlite3_step(s) == SQLITE_ROW)
        out.push_back(std::string(table) + "." + reinterpret_cast<const char*>(sqlite3_column_text(s, 1)) + " " +
                      reinterpret_cast<const char*>(sqlite3_column_text(s, 2)) + " " +
                      std::to_string(sqlite3_column_int(s, 3)) + " " + std::to_string(sqlite3_column_int(s, 5)));
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
  }
  fs::path dir_;
};

TEST_F(StateTables, AFileWrittenByTheFirstVersion1MockLoadsAsItWas) {
  const std::string path = file_with("old.db", kVersion1);
  StateDb db(path);
  ASSERT_FALSE(db.fresh());
  const SavedState s = db.load(100, 100);
  ASSERT_EQ(s.accounts.size(), 1u);
  const Account& a = s.accounts[0];
  EXPECT_EQ(a.username, "demo");
  EXPECT_EQ(a.telegram_id, "t-1");
  EXPECT_EQ(a.role, 10);
  EXPECT_EQ(a.quota, 4000);
  EXPECT_EQ(a.request_count, 7);
  ASSERT_EQ(s.keys.size(), 1u);
  const ApiKey& k = s.keys[0];
  EXPECT_EQ(k.id, 3);
  EXPECT_EQ(k.families, (std::vector<std::string>{"aiproxy", "aiapigiare"}));
  EXPECT_EQ(k.status, KeyStatus::kExhausted);
  EXPECT_FALSE(k.unlimited_quota);
  EXPECT_EQ(k.expired_time, -1);
  EXPECT_EQ(k.accessed_time, 1'767'225'600);
  EXPECT_EQ(k.rate_limit_per_minute, 60);
  ASSERT_EQ(s.logs.size(), 1u);
  EXPECT_EQ(s.logs[0].type, LogType::kConsume);
  EXPECT_EQ(s.logs[0].model_name, "gpt-4o-mini");
  EXPECT_EQ(s.logs[0].completion_tokens, 30);
  EXPECT_EQ(s.next_log_id, 10);
  ASSERT_EQ(s.tasks.size(), 1u);
  const Task& t = s.tasks[0];
  EXPECT_EQ(t.state, TaskState::kSucceeded);
  EXPECT_EQ(t.callback, CallbackState::kDue);
  ASSERT_EQ(t.attempts.size(), 2u);
  EXPECT_EQ(t.attempts[0].error, "down");
  EXPECT_TRUE(t.attempts[1].ok);
  ASSERT_EQ(t.images.size(), 1u);
  EXPECT_EQ(t.images[0].format, ImageFormat::kWebp);
  EXPECT_EQ(t.images[0].seed, 12345678901234567890ull);
  EXPECT_EQ(t.extra, (json{{"format", "webp"}}));
  ASSERT_EQ(s.credits.size(), 1u);
  EXPECT_EQ(s.credits[0].day, 20454);
  EXPECT_EQ(s.credits[0].used, 3);
}

TEST_F(StateTables, TheMockCreatesTheVersion1Columns) {
  const std::string old_file = file_with("old.db", kVersion1);
  const std::string new_file = (dir_ / "new.db").string();
  { StateDb db(new_file); }
  EXPECT_EQ(columns_of(new_file), columns_of(old_file));
  EXPECT_EQ(columns_of(new_file).size(), 11u + 14u + 11u + 2u + 3u);
}

TEST_F(StateTables, RecordsComeBackAsTheyWereSavedAndDeletedKeysStayDeleted) {
  const std::string path = (dir_ / "state.db").string();
  Task task;
  task.id = "t_1";
  task.family = "apixo";
  task.state = TaskState::kFailed;
  task.fail_code = "CONTENT_VIOLATION";
  task.attempts = {{"official", true, ""}};
  task.images = {{300, 200, ImageFormat::kPng, 42}};
  task.extra = {{"num_images", 1}};
  {
    StateDb db(path);
    Account a;
    a.id = 1;
    a.username = "demo";
    a.access_key = "ak";
    a.quota = 123;
    db.save_account(a);
    for (std::int64_t id : {1, 2}) {
      ApiKey k;
      k.id = id;
      k.account = 1;
      k.key = "sk-" + std::to_string(id);
      k.families = {"apixo"};
      k.unlimited_quota = true;
      db.save_key(k);
    }
    db.delete_key(2);
    db.save_task(task);
    task.callback = CallbackState::kDelivered;
    db.save_task(task);  // an update in place
    db.save_credits(1, 20454, 9);
  }
  StateDb db(path);
  const SavedState s = db.load(100, 100);
  ASSERT_EQ(s.keys.size(), 1u) << "the deleted key is gone";
  EXPECT_EQ(s.keys[0].key, "sk-1");
  EXPECT_TRUE(s.keys[0].unlimited_quota);
  EXPECT_EQ(s.accounts.at(0).quota, 123);
  ASSERT_EQ(s.tasks.size(), 1u);
  EXPECT_EQ(task_to_json(s.tasks[0]), task_to_json(task));
  EXPECT_EQ(s.tasks[0].callback, CallbackState::kDelivered);
  EXPECT_EQ(s.credits.at(0).used, 9);
}

TEST_F(StateTables, TheTasksJsonHasTheVersion1Fields) {
  Task t;
  t.images = {{1, 2, ImageFormat::kWebp, 3}};
  t.attempts = {{"a", false, "e"}};
  const json j = task_to_json(t);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"account", "attempts", "base_url", "callback", "callback_url",
                                            "created_ms", "expires_ms", "extra", "fail_code", "fail_msg", "family",
                                            "finish_ms", "id", "images", "key_id", "key_name", "model", "prompt",
                                            "quota", "source", "start_ms", "state"}));
  EXPECT_EQ(j["images"], json::parse("[[1, 2, 1, 3]]"));
  EXPECT_EQ(j["attempts"], json::parse(R"([["a", false, "e"]])"));
  EXPECT_EQ(j["state"], 0);
  EXPECT_THROW(task_from_json(json::object()), json::exception);
}

}  // namespace
}  // namespace tollgate::mock
