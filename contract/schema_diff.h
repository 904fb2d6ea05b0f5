#pragma once
// Two versions of one schema compared keyword by keyword, `$ref`s resolved
// on both sides, each difference classed by which way the data flows: what
// a client sends (a request) may only accept more, what it gets back (a
// response) may only promise less. Internal to contract/ (diff.cpp).
#include <string>
#include <vector>

#include "common/source_error.h"
#include "contract/document_set.h"

namespace tollgate::contract {

enum class Flow { kRequest, kResponse };

struct SchemaChange {
  bool breaking = false;
  std::string path;  ///< within the schema: "", "messages[].role", "choices[].message.tool_calls"
  std::string what;
  SourceLocation at;
};

/// The differences from `older` (in `older_docs`) to `newer`. Either node
/// may be empty (no schema: anything). Compared: types and nullable,
/// enum/const, bounds, pattern/format/multipleOf, uniqueItems,
/// discriminator, default, properties and required (allOf members merged
/// into the object: only their properties and required names count),
/// additionalProperties, items, oneOf/anyOf members. Recursive schemas are
/// followed once per pair of nodes; nesting deeper than 64 levels is not
/// compared.
std::vector<SchemaChange> diff_schemas(const DocumentSet& older_docs, NodeRef older, const DocumentSet& newer_docs,
                                       NodeRef newer, Flow flow);

}  // namespace tollgate::contract
