#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "mock-server/model/records.h"

namespace tollgate::mock {

class StateDb;

/// The logs every family's calls write, newest `max_logs` kept, read back
/// newest first with the System API's filters and pages. Kept compact
/// (numbers and interned strings, no allocation per entry) so that
/// millions of billed calls neither fragment the heap nor slow the hot
/// path; a LogEntry is built only when logs are read. Not locked: the
/// Store's ledger lock guards it (see store.h).
class LogBook {
 public:
  /// With `db`, every log written is written through to it.
  LogBook(const Clock& clock, std::size_t max_logs, StateDb* db = nullptr)
      : clock_(clock), max_logs_(max_logs), db_(db) {}

  /// Writes a log: numbers it, stamps it now, keeps it and writes it through.
  /// A consume log's content gets its figures when it is read.
  void add(LogEntry entry);
  /// Keeps a log read back from the state file, as it was.
  void keep(const LogEntry& entry);
  /// The id the next log gets (after a state file's logs).
  void set_next_id(std::int64_t id) { next_id_ = id; }

  /// An account's logs matching `query`, newest first: one page and the
  /// number of matches in all.
  LogPage page(std::int64_t account, const LogQuery& query) const;
  std::size_t size() const { return logs_.size(); }
  std::size_t max_logs() const { return max_logs_; }

 private:
  struct StoredLog {
    LogFigures figures;
    std::uint32_t username, token_name, model_name, content;  ///< interned
  };
  std::uint32_t intern(const std::string& text);
  bool matches(const StoredLog& log, std::int64_t account, const LogQuery& query) const;
  LogEntry expand(const StoredLog& log) const;

  const Clock& clock_;
  const std::size_t max_logs_;
  StateDb* db_;
  std::deque<StoredLog> logs_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, std::uint32_t> string_ids_;
  std::int64_t next_id_ = 1;
};

}  // namespace tollgate::mock
