#include "contract/client_schema.h"

#include <algorithm>

#include "contract/contract.h"
#include "contract/schema_shape.h"
#include "contract/schema_values.h"
#include "contract/value_generator.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

// Deeper schemas are refused before anything walks them recursively.
constexpr std::size_t kMaxNesting = 64;

// Subschemas under the JSON Schema keywords OpenAPI 3.0 does not have.
void walk_client_schema(const NodeRef& schema, const std::function<void(const NodeRef&)>& visit) {
  walk_schema(schema, [&](const NodeRef& s) {
    visit(s);
    if (!s.node->is_object()) return;
    for (const char* key : {"$defs", "definitions"})
      if (NodeRef defs = s.child(key); defs && defs.node->is_object())
        for (auto it = defs.node->begin(); it != defs.node->end(); ++it)
          walk_client_schema(defs.child(it.key()), visit);
  });
}

// Nesting levels of a JSON value, counted without recursion (a 10 MB
// request can nest a million levels).
std::size_t nesting(const json& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const json*, std::size_t>> todo{{&root, 1}};
  while (!todo.empty()) {
    auto [node, level] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, level);
    if (level > kMaxNesting) break;
    if (node->is_structured())
      for (const auto& child : *node) todo.emplace_back(&child, level + 1);
  }
  return deepest;
}

}  // namespace

ClientSchemaError::ClientSchemaError(std::string where, const std::string& message)
    : std::runtime_error((where.empty() ? std::string() : "at " + where + ": ") + message), pointer(std::move(where)) {}

ClientSchema::ClientSchema(ClientSchema&&) noexcept = default;
ClientSchema& ClientSchema::operator=(ClientSchema&&) noexcept = default;
ClientSchema::~ClientSchema() = default;

ClientSchema ClientSchema::parse(json schema, const std::string& name) {
  ClientSchema out;
  if (!schema.is_object() && !schema.is_boolean())
    throw ClientSchemaError("", "a schema must be an object, not " + json_type_name(schema));
  if (nesting(schema) > kMaxNesting)
    throw ClientSchemaError("", "the schema nests deeper than " + std::to_string(kMaxNesting) + " levels");
  try {
    out.docs_ = std::make_unique<DocumentSet>(DocumentSet::from_json(std::move(schema), name));
  } catch (const SourceError& e) {
    throw ClientSchemaError("", e.message());
  }
  std::string at;
  try {
    walk_client_schema(out.docs_->root_ref(), [&](const NodeRef& s) {
      at = s.pointer;
      check_schema_shape(s, Dialect::kJsonSchema);
      if (s.node->is_object() && s.node->contains("$ref") && !out.docs_->deref(s))
        throw ClientSchemaError(s.pointer, "$ref cycle: the reference never reaches a schema");
    });
  } catch (const SourceError& e) {
    throw ClientSchemaError(at, e.message());
  }
  out.validator_ = std::make_unique<SchemaValidator>(*out.docs_);
  return out;
}

std::string ClientSchema::problems(const json& value) const {
  std::vector<Violation> found;
  validator_->validate(docs_->root_ref(), value, Direction::kRequest, found);
  std::string out;
  for (std::size_t i = 0; i < found.size() && i < 3; ++i)
    out += (i ? "; " : "") + (found[i].instance_pointer.empty() ? "" : found[i].instance_pointer + ": ") +
           found[i].message;
  if (found.size() > 3) out += "; and " + std::to_string(found.size() - 3) + " more";
  return out;
}

json ClientSchema::generate(std::uint64_t seed) const {
  GenerateOptions options;
  options.seed = seed;
  return generate_value(docs_->root().value, docs_->root().value, options);
}

const json& ClientSchema::value() const { return docs_->root().value; }

}  // namespace tollgate::contract
