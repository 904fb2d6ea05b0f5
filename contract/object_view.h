#pragma once
// An object schema as one flat view: its properties and required names with
// those of its allOf parts merged in (a schema split into allOf parts is the
// same object), and whether it refuses other properties. Read by contract
// diff and by probe's negative cases.
#include <map>
#include <set>
#include <string>

#include "contract/document_set.h"

namespace tollgate::contract {

struct ObjectView {
  std::map<std::string, NodeRef> properties;  ///< the first definition of each name wins
  std::set<std::string> required;
  bool closed = false;  ///< `additionalProperties: false` on the schema itself
};

/// `schema` ($refs followed) as an ObjectView; allOf parts are followed 16
/// levels deep at most. An empty view for a schema that is not an object.
ObjectView object_view(const DocumentSet& docs, NodeRef schema);

}  // namespace tollgate::contract
