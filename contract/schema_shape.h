#pragma once
// What a schema object of an OpenAPI 3.0 document must look like before
// anything reads it: every keyword of the right JSON type. A contract that
// breaks this is refused at load with file:line:column, so the validator
// and the linter never meet a shape they cannot read.
#include "contract/document_set.h"

namespace tollgate::contract {

/// Throws SourceError at the first keyword of `schema` (a node reached as a
/// schema) that has the wrong shape. Does not look into subschemas.
void check_schema_shape(const NodeRef& schema);

}  // namespace tollgate::contract
