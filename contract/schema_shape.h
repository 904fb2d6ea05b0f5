#pragma once
// What a schema object of an OpenAPI 3.0 document must look like before
// anything reads it: every keyword of the right JSON type. A contract that
// breaks this is refused at load with file:line:column, so the validator
// and the linter never meet a shape they cannot read.
#include "contract/document_set.h"

namespace tollgate::contract {

/// Which schema language a document speaks: a contract's OpenAPI 3.0
/// Schema Objects, or the JSON Schema clients send in requests (tool
/// parameters, response formats: `type` lists with "null", numeric
/// exclusive bounds, `true`/`false` schemas, `const`).
enum class Dialect { kOpenApi30, kJsonSchema };

/// Throws SourceError at the first keyword of `schema` (a node reached as a
/// schema) that has the wrong shape. Does not look into subschemas.
void check_schema_shape(const NodeRef& schema, Dialect dialect = Dialect::kOpenApi30);

}  // namespace tollgate::contract
