#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mock-server/state/tables.h"
#include "mock-server/model/records.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tollgate::mock {

/// Everything a state file holds, as loaded at start.
struct SavedState {
  std::vector<Account> accounts;
  std::vector<ApiKey> keys;
  std::vector<LogEntry> logs;  ///< the newest ones, oldest first
  std::int64_t next_log_id = 1;
  std::vector<Task> tasks;     ///< oldest first
  std::vector<SavedCredits> credits;
};

/// The mock's durable state in SQLite (`--state FILE`): accounts, keys,
/// logs, tasks and AimiChat credits, written through on every change in
/// WAL mode with synchronous=NORMAL, so that everything the mock has
/// answered survives the process being killed (a power cut may lose the
/// last transactions). A file that is not an SQLite database, fails its
/// integrity check or was not written by tollgate-mock is refused. Not
/// locked: its user serializes every call (the Store's ledger lock).
class StateDb {
 public:
  /// Opens or creates `path`; throws std::runtime_error naming the file
  /// and what is wrong with it.
  explicit StateDb(const std::string& path);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  /// True when the file held no state yet (the fixture seeds it).
  bool fresh() const { return fresh_; }
  const std::string& path() const { return path_; }

  /// Reads the state back: the newest `max_logs` logs and `max_tasks` tasks.
  SavedState load(std::size_t max_logs, std::size_t max_tasks);
  /// Drops everything (before seeding it again from a fixture).
  void clear();

  /// Groups writes into one transaction (nested calls join the outer one).
  void begin();
  void commit();

  void save_account(const Account& a);
  void save_key(const ApiKey& k);
  void delete_key(std::int64_t id);
  void save_log(const LogEntry& e);
  void save_task(const Task& t);
  void save_credits(std::int64_t account, std::int64_t day, std::int64_t used);

 private:
  /// Refuses a file the mock cannot use: one that is not its state file,
  /// of another schema version, or damaged. Sets fresh_ for an empty one.
  void check_file();
  void create_tables();
  int pragma_int(const char* sql);
  [[noreturn]] void refuse(const std::string& why);
  sqlite3_stmt* prepare(const std::string& sql);
  void exec(const char* sql);
  [[noreturn]] void fail(const std::string& what);
  template <class R>
  void save(const Table<R>& table, sqlite3_stmt* statement, const R& record, const char* what);
  /// Every row of `table` or its `newest` newest rows, oldest first.
  template <class R>
  std::vector<R> load_rows(const Table<R>& table, std::size_t newest = Table<R>::kAll);

  std::string path_;
  sqlite3* db_ = nullptr;
  bool fresh_ = false;
  int depth_ = 0;
  std::vector<sqlite3_stmt*> statements_;
  sqlite3_stmt *account_ = nullptr, *key_ = nullptr, *delete_key_ = nullptr, *log_ = nullptr, *task_ = nullptr,
               *credits_ = nullptr;
};

/// A transaction on the state file when there is one: begun when made,
/// committed when it goes (nested ones join the outer one).
class StateTxn {
 public:
  explicit StateTxn(StateDb* db) : db_(db) {
    if (db_) db_->begin();
  }
  ~StateTxn() {
    if (db_) db_->commit();
  }
  StateTxn(const StateTxn&) = delete;
  StateTxn& operator=(const StateTxn&) = delete;

 private:
  StateDb* db_;
};

}  // namespace tollgate::mock
