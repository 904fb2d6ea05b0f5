#include "mock-server/state/state_db.h"

#include <cstdio>
#include <stdexcept>

#include <sqlite3.h>

namespace tollgate::mock {
namespace {

constexpr int kApplicationId = 0x546f6c6c;  // "Toll"
constexpr int kSchemaVersion = 1;

std::string text_at(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

void bind_value(sqlite3_stmt* s, int index, const SqlValue& value) {
  if (const auto* n = std::get_if<std::int64_t>(&value)) {
    sqlite3_bind_int64(s, index, *n);
  } else {
    const std::string& text = std::get<std::string>(value);
    sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
}

/// The names of every table, for clearing them.
std::vector<std::string> table_names() {
  return {accounts_table().name, keys_table().name, logs_table().name, tasks_table().name, credits_table().name};
}

}  // namespace

StateDb::StateDb(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    refuse(std::string("cannot open: ") + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  sqlite3_busy_timeout(db_, 5000);
  check_file();
  char* error = nullptr;
  if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string why = error ? error : "unknown error";
    sqlite3_free(error);
    refuse("cannot switch to WAL mode: " + why);
  }
  if (fresh_) create_tables();
  account_ = prepare(accounts_table().save_sql());
  key_ = prepare(keys_table().save_sql());
  delete_key_ = prepare("DELETE FROM " + keys_table().name + " WHERE id = ?1");
  log_ = prepare(logs_table().save_sql());
  task_ = prepare(tasks_table().save_sql());  // in place: the rowid keeps the order tasks were submitted in
  credits_ = prepare(credits_table().save_sql());
}

StateDb::~StateDb() {
  for (auto* s : statements_) sqlite3_finalize(s);
  if (db_) sqlite3_close(db_);
}

void StateDb::refuse(const std::string& why) {
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
  throw std::runtime_error("--state " + path_ + ": " + why);
}

int StateDb::pragma_int(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
    refuse(std::string("not a state file the mock can use (") + sqlite3_errmsg(db_) + ")");
  const int rc = sqlite3_step(s);
  const int v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
  const std::string error = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
  sqlite3_finalize(s);
  if (!error.empty()) refuse("not a state file the mock can use (" + error + ")");
  return v;
}

void StateDb::check_file() {
  const int app = pragma_int("PRAGMA application_id");
  const int tables = pragma_int("SELECT count(*) FROM sqlite_master");
  if (app == 0 && tables == 0) {
    fresh_ = true;
    return;
  }
  if (app != kApplicationId) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", static_cast<unsigned>(app));
    refuse(std::string("an SQLite database, but not a tollgate-mock state file (application_id ") + hex +
           ", expected 0x546f6c6c); give a new file or the one the mock wrote");
  }
  if (const int version = pragma_int("PRAGMA user_version"); version != kSchemaVersion)
    refuse("a tollgate-mock state file of schema version " + std::to_string(version) + "; this mock reads version " +
           std::to_string(kSchemaVersion));
  sqlite3_stmt* s = nullptr;
  std::string result;
  if (sqlite3_prepare_v2(db_, "PRAGMA quick_check", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    result = text_at(s, 0);
  else
    result = sqlite3_errmsg(db_);
  sqlite3_finalize(s);
  if (result != "ok") refuse("the file is damaged (integrity check: " + result + ")");
}

void StateDb::create_tables() {
  const std::string create = "BEGIN;" + accounts_table().create_sql() + keys_table().create_sql() +
                             logs_table().create_sql() + tasks_table().create_sql() + credits_table().create_sql() +
                             "PRAGMA application_id=" + std::to_string(kApplicationId) +
                             "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + "; COMMIT;";
  char* error = nullptr;
  if (sqlite3_exec(db_, create.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string why = error ? error : "unknown error";
    sqlite3_free(error);
    refuse("cannot create the state tables: " + why);
  }
}

sqlite3_stmt* StateDb::prepare(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
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

template <class R>
void StateDb::save(const Table<R>& table, sqlite3_stmt* s, const R& record, const char* what) {
  sqlite3_reset(s);
  int index = 0;
  for (const auto& c : table.columns) bind_value(s, ++index, c.get(record));
  if (sqlite3_step(s) != SQLITE_DONE) fail(what);
}

void StateDb::save_account(const Account& a) { save(accounts_table(), account_, a, "saving an account"); }
void StateDb::save_key(const ApiKey& k) { save(keys_table(), key_, k, "saving a key"); }
void StateDb::save_log(const LogEntry& e) { save(logs_table(), log_, e, "saving a log"); }
void StateDb::save_task(const Task& t) { save(tasks_table(), task_, t, "saving a task"); }
void StateDb::save_credits(std::int64_t account, std::int64_t day, std::int64_t used) {
  save(credits_table(), credits_, SavedCredits{account, day, used}, "saving credits");
}

void StateDb::delete_key(std::int64_t id) {
  sqlite3_reset(delete_key_);
  bind_value(delete_key_, 1, id);
  if (sqlite3_step(delete_key_) != SQLITE_DONE) fail("deleting a key");
}

void StateDb::clear() {
  std::string sql = "BEGIN IMMEDIATE; ";
  for (const auto& name : table_names()) sql += "DELETE FROM " + name + "; ";
  exec((sql + "COMMIT").c_str());
}

template <class R>
std::vector<R> StateDb::load_rows(const Table<R>& table, std::size_t newest) {
  const std::string sql = table.load_sql(newest);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error("--state " + path_ + ": " + sqlite3_errmsg(db_));
  std::vector<R> out;
  try {
    while (sqlite3_step(s) == SQLITE_ROW) {
      R record;
      for (int i = 0; i < static_cast<int>(table.columns.size()); ++i) {
        const auto& c = table.columns[static_cast<std::size_t>(i)];
        c.set(record, c.text ? SqlValue(text_at(s, i)) : SqlValue(std::int64_t{sqlite3_column_int64(s, i)}));
      }
      out.push_back(std::move(record));
    }
  } catch (const nlohmann::json::exception& e) {
    sqlite3_finalize(s);
    throw std::runtime_error("--state " + path_ + ": a " + table.record + " record is damaged: " + e.what());
  }
  sqlite3_finalize(s);
  return out;
}

SavedState StateDb::load(std::size_t max_logs, std::size_t max_tasks) {
  SavedState out;
  out.accounts = load_rows(accounts_table());
  out.keys = load_rows(keys_table());
  out.logs = load_rows(logs_table(), max_logs);
  out.tasks = load_rows(tasks_table(), max_tasks);
  out.credits = load_rows(credits_table());
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT coalesce(max(id), 0) + 1 FROM logs", -1, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error("--state " + path_ + ": " + sqlite3_errmsg(db_));
  if (sqlite3_step(s) == SQLITE_ROW) out.next_log_id = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return out;
}

}  // namespace tollgate::mock
