#pragma once
// A JSON Schema that arrives in a request (a tool's `parameters`, a
// `response_format` json_schema), in the dialect clients emit (zod,
// pydantic: `$defs`, `anyOf` with `{type: null}`, `const`, `type` lists):
// checked once, then validated against and generated from.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/document_set.h"
#include "contract/schema_validator.h"

namespace tollgate::contract {

/// Why a client's schema cannot be used: `pointer` is where in it ("" =
/// the whole schema).
struct ClientSchemaError : std::runtime_error {
  ClientSchemaError(std::string pointer, const std::string& message);
  std::string pointer;
};

class ClientSchema {
 public:
  /// Checks every subschema's shape and that every `$ref` stays inside the
  /// schema and resolves. Throws ClientSchemaError naming the place.
  static ClientSchema parse(nlohmann::json schema, const std::string& name = "schema");

  ClientSchema(ClientSchema&&) noexcept;
  ClientSchema& operator=(ClientSchema&&) noexcept;
  ~ClientSchema();

  /// The violations of `value` ("" when it is valid), at most a few, joined.
  std::string problems(const nlohmann::json& value) const;
  bool accepts(const nlohmann::json& value) const { return problems(value).empty(); }
  /// A value the schema accepts, every property filled (deterministic for
  /// a seed). Throws GenerateError.
  nlohmann::json generate(std::uint64_t seed) const;
  const nlohmann::json& value() const;

 private:
  ClientSchema() = default;
  std::unique_ptr<DocumentSet> docs_;
  std::unique_ptr<SchemaValidator> validator_;
};

}  // namespace tollgate::contract
