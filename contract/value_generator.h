#pragma once
// Values generated from a schema: the mock's tool-call arguments and
// structured output, and (later) generated tests. Reads OpenAPI 3.0 Schema
// Objects and the JSON Schema that clients send (as zod and pydantic emit
// it: `$defs`/`definitions` with `$ref`, `anyOf` with `{type: null}`,
// `const`, `type` as an array, `additionalProperties: false`).
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace tollgate::contract {

struct GenerateOptions {
  std::uint64_t seed = 0;      ///< the same schema and seed always give the same value
  int max_depth = 12;          ///< past it, only required properties and minItems items
  std::size_t max_items = 2;   ///< items in an array without minItems (never fewer than minItems)
  bool optional_properties = true;  ///< also fill the properties an object does not require
  /// A scalar schema with an `example` (else a `default`) gives it: a model
  /// name the server knows, where a made-up string names nothing.
  bool use_examples = false;
  /// Bounds on the value, so that a small hostile schema (minItems nested
  /// in minItems) cannot make a huge one: past either, a GenerateError.
  std::size_t max_nodes = 10'000;        ///< JSON values in all
  std::size_t max_string_bytes = 1 << 20;  ///< bytes of all strings together
};

/// A schema the generator cannot serve: a `$ref` that does not resolve or
/// leaves the document, a `false` schema, a required reference cycle, a
/// value past the options' bounds.
struct GenerateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A value `schema` accepts. `root` is the document that `#/...` references
/// resolve in (for a client's schema, the schema itself). Deterministic.
/// Where a keyword cannot be satisfied by construction (a `pattern` none of
/// a few candidates matches, contradictory bounds) the value is the closest
/// the generator finds; validate it when that matters.
nlohmann::json generate_value(const nlohmann::json& schema, const nlohmann::json& root,
                              const GenerateOptions& options = {});

}  // namespace tollgate::contract
