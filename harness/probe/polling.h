#pragma once
// Where an answer says how far an asynchronous task has come, for probe's
// submit -> poll chains: a `status` or `state` property of a success
// answer whose documented values (enum or const, across oneOf/anyOf/allOf
// members) include both a state still under way ("queued", "processing")
// and one that is final ("succeeded", "failed"). A read of such a task is
// repeated until it is final.
#include <optional>
#include <string>
#include <vector>

#include "contract/contract.h"

namespace tollgate::probe {

struct TaskState {
  std::string pointer;              ///< "/data/state"
  std::vector<std::string> final_;  ///< the documented values that end the task
};

/// The task state `op`'s JSON success answer carries, if it carries one.
std::optional<TaskState> task_state(const contract::Contract& c, const contract::Operation& op);

/// Whether a state name ends a task: success, succeeded, completed, done,
/// failed, error, cancelled, expired, ... (not queued, pending, processing).
bool is_final_state(const std::string& value);

}  // namespace tollgate::probe
