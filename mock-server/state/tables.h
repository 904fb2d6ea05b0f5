#pragma once
// The state file's tables, one per record, and the task's JSON fields:
// schema version 1 (tollgate-mock's application_id 0x546f6c6c).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "mock-server/state/columns.h"
#include "mock-server/model/records.h"

namespace tollgate::mock {

/// An account's AimiChat credits on a day, as the state file keeps them.
struct SavedCredits {
  std::int64_t account = 0, day = 0, used = 0;
};

const Table<Account>& accounts_table();
const Table<ApiKey>& keys_table();
const Table<LogEntry>& logs_table();
/// Tasks are one JSON document a row (task_to_json), kept in submit order.
const Table<Task>& tasks_table();
const Table<SavedCredits>& credits_table();

/// A task as the state file's JSON, and back (throws nlohmann::json
/// exceptions on a damaged one). One field table drives both ways.
nlohmann::json task_to_json(const Task& task);
Task task_from_json(const nlohmann::json& json);

}  // namespace tollgate::mock
