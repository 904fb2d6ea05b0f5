#pragma once
#include <string>
#include <vector>

#include "common/source_error.h"
#include "contract/contract.h"

namespace tollgate::contract {

struct LintIssue {
  SourceLocation where;
  std::string message;
};

struct LintReport {
  std::vector<LintIssue> issues;
  std::size_t operations = 0;
  std::size_t examples_checked = 0;
};

/// Checks what loading does not: operationIds present and unique, path
/// parameters declared, and every example and default (bodies, SSE streams,
/// parameters, headers, schemas) valid against its own schema.
LintReport lint(const Contract& contract);

/// "a, b or c": the event types of an `x-sse.end`, for messages.
std::string join_types(const std::vector<std::string>& types);

/// Splits an SSE example into the payloads of its `data:` events.
std::vector<std::string> sse_data_payloads(const std::string& stream);

/// Checks an event-stream body against its media type's `x-sse`: every
/// `data:` payload but the terminator is JSON matching the chunk schema
/// (messages start "stream event N"), and the stream ends with the
/// terminator, or with an event whose `type` is in `x-sse.end` (nothing
/// after it). Used by lint for examples and by checks for live streams.
std::vector<Violation> validate_event_stream(const Contract& contract, const MediaType& media,
                                             const std::string& stream, Direction direction);

}  // namespace tollgate::contract
