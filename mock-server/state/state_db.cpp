#include "mock-server/state/state_db.h"

#include <cstdio>
#include <stdexcept>

#include <sqlite3.h>

namespace tollgate::mock {
namespace {

using nlohmann::json;

constexpr int kApplicationId = 0x546f6c6c;  // "Toll"
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"(
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
)";

std::string text_at(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

}  // namespace

json task_to_json(const Task& t) {
  json attempts = json::array();
  for (const auto& a : t.attempts) attempts.push_back({a.source, a.ok, a.error});
  json images = json::array();
  for (const auto& i : t.images) images.push_back({i.width, i.height, static_cast<int>(i.format), i.seed});
  return {{"id", t.id},           {"family", t.family},         {"model", t.model},
          {"prompt", t.prompt},   {"key_id", t.key_id},         {"account", t.account},
          {"key_name", t.key_name}, {"created_ms", t.created_ms}, {"start_ms", t.start_ms},
          {"finish_ms", t.finish_ms}, {"state", static_cast<int>(t.state)}, {"quota", t.quota},
          {"fail_code", t.fail_code}, {"fail_msg", t.fail_msg},   {"attempts", attempts},
          {"source", t.source},   {"images", images},           {"expires_ms", t.expires_ms},
          {"base_url", t.base_url}, {"callback_url", t.callback_url}, {"callback", static_cast<int>(t.callback)},
          {"extra", t.extra}};
}

Task task_from_json(const json& j) {
  Task t;
  t.id = j.at("id");
  t.family = j.at("family");
  t.model = j.at("model");
  t.prompt = j.at("prompt");
  t.key_id = j.at("key_id");
  t.account = j.at("account");
  t.key_name = j.at("key_name");
  t.created_ms = j.at("created_ms");
  t.start_ms = j.at("start_ms");
  t.finish_ms = j.at("finish_ms");
  t.state = static_cast<TaskState>(j.at("state").get<int>());
  t.quota = j.at("quota");
  t.fail_code = j.at("fail_code");
  t.fail_msg = j.at("fail_msg");
  for (const auto& a : j.at("attempts")) t.attempts.push_back({a[0], a[1], a[2]});
  t.source = j.at("source");
  for (const auto& i : j.at("images"))
    t.images.push_back({i[0], i[1], static_cast<ImageFormat>(i[2].get<int>()), i[3].get<std::uint64_t>()});
  t.expires_ms = j.at("expires_ms");
  t.base_url = j.at("base_url");
  t.callback_url = j.at("callback_url");
  t.callback = static_cast<CallbackState>(j.at("callback").get<int>());
  t.extra = j.at("extra");
  return t;
}

StateDb::StateDb(const std::string& path) : path_(path) {
  auto refuse = [&](const std::string& why) {
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("--state " + path + ": " + why);
  };
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    refuse(std::string("cannot open: ") + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  sqlite3_busy_timeout(db_, 5000);
  auto pragma_int = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
      refuse(std::string("not a state file the mock can use (") + sqlite3_errmsg(db_) + ")");
    const int rc = sqlite3_step(s);
    const int v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    const std::string error = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
    sqlite3_finalize(s);
    if (!error.empty()) refuse("not a state file the mock can use (" + error + ")");
    return v;
  };
  const int app = pragma_int("PRAGMA application_id");
  const int tables = pragma_int("SELECT count(*) FROM sqlite_master");
  if (app == 0 && tables == 0) {
    fresh_ = true;
  } else if (app != kApplicationId) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", static_cast<unsigned>(app));
    refuse(std::string("an SQLite database, but not a tollgate-mock state file (application_id ") + hex +
           ", expected 0x546f6c6c); give a new file or the one the mock wrote");
  } else if (const int version = pragma_int("PRAGMA user_version"); version != kSchemaVersion) {
    refuse("a tollgate-mock state file of schema version " + std::to_string(version) + "; this mock reads version " +
           std::to_string(kSchemaVersion));
  } else {
    sqlite3_stmt* s = nullptr;
    std::string result;
    if (sqlite3_prepare_v2(db_, "PRAGMA quick_check", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      result = text_at(s, 0);
    else
      result = sqlite3_errmsg(db_);
    sqlite3_finalize(s);
    if (result != "ok") refuse("the file is damaged (integrity check: " + result + ")");
  }
  char* error = nullptr;
  if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string why = error ? error : "unknown error";
    sqlite3_free(error);
    refuse("cannot switch to WAL mode: " + why);
  }
  if (fresh_) {
    const std::string create = std::string("BEGIN;") + kSchema + "PRAGMA application_id=" +
                               std::to_string(kApplicationId) + "; PRAGMA user_version=" +
                               std::to_string(kSchemaVersion) + "; COMMIT;";
    if (sqlite3_exec(db_, create.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string why = error ? error : "unknown error";
      sqlite3_free(error);
      refuse("cannot create the state tables: " + why);
    }
  }
  account_ = prepare(
      "INSERT OR REPLACE INTO accounts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  key_ = prepare("INSERT OR REPLACE INTO keys VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  delete_key_ = prepare("DELETE FROM keys WHERE id = ?1");
  log_ = prepare("INSERT OR REPLACE INTO logs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  // The rowid keeps the order tasks were submitted in (an update keeps it).
  task_ = prepare("INSERT INTO tasks (id, data) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET data = excluded.data");
  credits_ = prepare("INSERT OR REPLACE INTO credits VALUES (?1, ?2, ?3)");
}

StateDb::~StateDb() {
  for (auto* s : statements_) sqlite3_finalize(s);
  if (db_) sqlite3_close(db_);
}

sqlite3_stmt* StateDb::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error("--state " + path_ + ": " + sqlite3_errmsg(db_));
  statements_.push_back(s);
  return s;
}

void StateDb::fail(const std::string& what) {
  // Fail-stop: an answer the mock could not make durable is never sent.
  std::fprintf(stderr, "tollgate-mock: --state %s: %s failed: %s; stopping so that no acknowledged write is lost\n",
               path_.c_str(), what.c_str(), sqlite3_errmsg(db_));
  std::_Exit(4);
}

void StateDb::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
}

void StateDb::begin() {
  if (depth_++ == 0) exec("BEGIN IMMEDIATE");
}

void StateDb::commit() {
  if (--depth_ == 0) exec("COMMIT");
}

namespace {

class Bind {
 public:
  explicit Bind(sqlite3_stmt* s) : s_(s) { sqlite3_reset(s_); }
  Bind& operator()(std::int64_t v) {
    sqlite3_bind_int64(s_, ++i_, v);
    return *this;
  }
  Bind& operator()(const std::string& v) {
    sqlite3_bind_text(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  bool step() { return sqlite3_step(s_) == SQLITE_DONE; }

 private:
  sqlite3_stmt* s_;
  int i_ = 0;
};

}  // namespace

void StateDb::save_account(const Account& a) {
  if (!Bind(account_)(a.id)(a.username)(a.display_name)(a.email)(a.access_key)(a.telegram_id)(std::int64_t{a.role})(
           a.quota)(a.used_quota)(a.request_count)(a.aimichat_daily_credits)
           .step())
    fail("saving an account");
}

void StateDb::save_key(const ApiKey& k) {
  if (!Bind(key_)(k.id)(k.account)(k.key)(k.name)(json(k.families).dump())(std::int64_t{static_cast<int>(k.status)})(
           k.remain_quota)(std::int64_t{k.unlimited_quota})(k.used_quota)(k.expired_time)(k.created_time)(
           k.accessed_time)(k.rate_limit_per_minute)(k.max_concurrent_tasks)
           .step())
    fail("saving a key");
}

void StateDb::delete_key(std::int64_t id) {
  if (!Bind(delete_key_)(id).step()) fail("deleting a key");
}

void StateDb::save_log(const LogEntry& e) {
  if (!Bind(log_)(e.id)(e.account)(e.created_at)(std::int64_t{static_cast<int>(e.type)})(e.content)(e.username)(
           e.token_name)(e.model_name)(e.quota)(e.prompt_tokens)(e.completion_tokens)
           .step())
    fail("saving a log");
}

void StateDb::save_task(const Task& t) {
  if (!Bind(task_)(t.id)(task_to_json(t).dump()).step()) fail("saving a task");
}

void StateDb::save_credits(std::int64_t account, std::int64_t day, std::int64_t used) {
  if (!Bind(credits_)(account)(day)(used).step()) fail("saving credits");
}

void StateDb::clear() {
  exec("BEGIN IMMEDIATE; DELETE FROM accounts; DELETE FROM keys; DELETE FROM logs; DELETE FROM tasks; "
       "DELETE FROM credits; COMMIT");
}

SavedState StateDb::load(std::size_t max_logs, std::size_t max_tasks) {
  SavedState out;
  auto rows = [&](const std::string& sql, auto&& each) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error("--state " + path_ + ": " + sqlite3_errmsg(db_));
    while (sqlite3_step(s) == SQLITE_ROW) each(s);
    sqlite3_finalize(s);
  };
  auto i64 = [](sqlite3_stmt* s, int c) { return sqlite3_column_int64(s, c); };
  rows("SELECT * FROM accounts ORDER BY id", [&](sqlite3_stmt* s) {
    Account a;
    a.id = i64(s, 0);
    a.username = text_at(s, 1);
    a.display_name = text_at(s, 2);
    a.email = text_at(s, 3);
    a.access_key = text_at(s, 4);
    a.telegram_id = text_at(s, 5);
    a.role = static_cast<int>(i64(s, 6));
    a.quota = i64(s, 7);
    a.used_quota = i64(s, 8);
    a.request_count = i64(s, 9);
    a.aimichat_daily_credits = i64(s, 10);
    out.accounts.push_back(std::move(a));
  });
  rows("SELECT * FROM keys ORDER BY id", [&](sqlite3_stmt* s) {
    ApiKey k;
    k.id = i64(s, 0);
    k.account = i64(s, 1);
    k.key = text_at(s, 2);
    k.name = text_at(s, 3);
    k.families = json::parse(text_at(s, 4)).get<std::vector<std::string>>();
    k.status = static_cast<KeyStatus>(i64(s, 5));
    k.remain_quota = i64(s, 6);
    k.unlimited_quota = i64(s, 7) != 0;
    k.used_quota = i64(s, 8);
    k.expired_time = i64(s, 9);
    k.created_time = i64(s, 10);
    k.accessed_time = i64(s, 11);
    k.rate_limit_per_minute = i64(s, 12);
    k.max_concurrent_tasks = i64(s, 13);
    out.keys.push_back(std::move(k));
  });
  rows("SELECT * FROM (SELECT * FROM logs ORDER BY id DESC LIMIT " + std::to_string(max_logs) + ") ORDER BY id",
       [&](sqlite3_stmt* s) {
         LogEntry e;
         e.id = i64(s, 0);
         e.account = i64(s, 1);
         e.created_at = i64(s, 2);
         e.type = static_cast<LogType>(i64(s, 3));
         e.content = text_at(s, 4);
         e.username = text_at(s, 5);
         e.token_name = text_at(s, 6);
         e.model_name = text_at(s, 7);
         e.quota = i64(s, 8);
         e.prompt_tokens = i64(s, 9);
         e.completion_tokens = i64(s, 10);
         out.logs.push_back(std::move(e));
       });
  rows("SELECT coalesce(max(id), 0) + 1 FROM logs", [&](sqlite3_stmt* s) { out.next_log_id = i64(s, 0); });
  rows("SELECT data FROM (SELECT rowid, data FROM tasks ORDER BY rowid DESC LIMIT " + std::to_string(max_tasks) +
           ") ORDER BY rowid",
       [&](sqlite3_stmt* s) {
    try {
      out.tasks.push_back(task_from_json(json::parse(text_at(s, 0))));
    } catch (const json::exception& e) {
      throw std::runtime_error("--state " + path_ + ": a task record is damaged: " + e.what());
    }
  });
  rows("SELECT * FROM credits", [&](sqlite3_stmt* s) { out.credits.push_back({i64(s, 0), i64(s, 1), i64(s, 2)}); });
  return out;
}

}  // namespace tollgate::mock
