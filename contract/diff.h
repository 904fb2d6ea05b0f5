#pragma once
// What changed between two versions of a contract, each change classed
// breaking or not from the point of view of a client written against the
// old one: it must still be able to send what it sent (requests may only
// widen) and still understand what it gets back (responses may only
// narrow). Schemas are compared after `$ref`s are resolved, so moving or
// renaming a component file changes nothing.
#include <string>
#include <vector>

#include "common/source_error.h"
#include "contract/contract.h"

namespace tollgate::contract {

struct Change {
  bool breaking = false;
  std::string operation;  ///< "POST /v1/chat/completions", or "" for the document
  std::string where;      ///< "request body application/json: messages[].role", "response 200", ...
  std::string what;       ///< "enum value 'tool' removed"
  SourceLocation at;      ///< in the new document, or the old one for what was removed
};

struct DiffReport {
  std::vector<Change> changes;  ///< breaking ones first, then by operation, in document order
  std::size_t breaking() const;
};

/// Compares `older` with `newer`. Operations are matched by method and path
/// with path parameter names ignored ("/task/{id}" is "/task/{task_id}").
DiffReport diff(const Contract& older, const Contract& newer);

}  // namespace tollgate::contract
