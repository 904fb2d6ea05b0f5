#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/document_set.h"

namespace tollgate::contract {

/// Which way a body travels: OpenAPI's readOnly properties belong only in
/// responses, writeOnly ones only in requests.
enum class Direction { kRequest, kResponse };

/// One way an instance breaks its schema.
struct Violation {
  std::string instance_pointer;  ///< JSON pointer into the instance ("" = the whole value)
  std::string schema_pointer;    ///< "file.yaml#/pointer" of the schema keyword that failed
  std::string message;           ///< what is wrong, in words

  /// "/choices/0/finish_reason: expected string, got integer [aiproxy.yaml#/...]"
  std::string to_string() const;
};

/// Validates JSON values against OpenAPI 3.0 Schema Objects.
///
/// OpenAPI 3.0 is not plain JSON Schema: `nullable`, `readOnly`/`writeOnly`
/// with their effect on `required`, boolean `exclusiveMinimum`/`Maximum`,
/// `discriminator` and `format` are handled here natively. Every violation
/// names the instance pointer, the schema keyword's pointer and the reason.
/// Thread-safe: one validator may serve many threads.
class SchemaValidator {
 public:
  explicit SchemaValidator(const DocumentSet& docs);

  /// Appends the violations of `instance` against `schema` to `out`;
  /// returns true when there were none.
  bool validate(const NodeRef& schema, const nlohmann::json& instance, Direction direction,
                std::vector<Violation>& out) const;

 private:
  struct Loc;
  struct Ctx;
  struct Target {
    NodeRef ref;
    std::string uri;  ///< "file#pointer" of ref
  };
  struct Discriminator {
    std::string property;
    std::map<std::string, NodeRef> targets;  ///< value -> schema
  };

  /// Records the $ref target or discriminator of one schema object.
  void index(const Document& doc, const nlohmann::json& node);
  void check(const Document& doc, const nlohmann::json& schema, const Loc& sloc, const nlohmann::json& value,
             const Loc& vloc, Ctx& ctx) const;
  void check_object(const Document& doc, const nlohmann::json& schema, const Loc& sloc,
                    const nlohmann::json& value, const Loc& vloc, Ctx& ctx) const;
  void check_array(const Document& doc, const nlohmann::json& schema, const Loc& sloc,
                   const nlohmann::json& value, const Loc& vloc, Ctx& ctx) const;
  void check_scalar(const nlohmann::json& schema, const Loc& sloc, const nlohmann::json& value, const Loc& vloc,
                    Ctx& ctx) const;
  void check_composition(const Document& doc, const nlohmann::json& schema, const Loc& sloc,
                         const nlohmann::json& value, const Loc& vloc, Ctx& ctx) const;
  const Target* target_of(const nlohmann::json& ref_holder) const;
  const std::regex* regex_for(const std::string& pattern) const;

  const DocumentSet& docs_;
  std::unordered_map<const nlohmann::json*, Target> refs_;  ///< node holding $ref -> final target
  std::unordered_map<const nlohmann::json*, Discriminator> discriminators_;
  /// Which validation keywords each schema object has (a bit per keyword):
  /// most schemas use two or three of the thirty, so the rest are skipped
  /// without a map lookup each.
  std::unordered_map<const nlohmann::json*, std::uint32_t> keywords_;
  std::uint32_t keywords_of(const nlohmann::json& schema) const;
  mutable std::mutex regex_mutex_;
  mutable std::unordered_map<std::string, std::unique_ptr<std::regex>> regexes_;
};


}  // namespace tollgate::contract
