#pragma once
// A loaded OpenAPI 3.0 contract: its operations, which one a request line
// matches, and validation of requests and responses against it.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/document_set.h"
#include "contract/operation.h"
#include "contract/schema_validator.h"

namespace tollgate::contract {

/// What the request line matched.
struct Match {
  enum class Kind { kFound, kNoPath, kWrongMethod };
  Kind kind = Kind::kNoPath;
  const Operation* operation = nullptr;
  std::map<std::string, std::string> path_params;  ///< percent-decoded
  std::vector<std::string> allowed_methods;        ///< for kWrongMethod
};

/// A loaded OpenAPI 3.0 document: its operations, request matching and
/// validation of bodies, parameters and responses against it.
class Contract {
 public:
  /// Loads a contract (YAML or JSON) and every file its `$ref`s reach.
  /// Throws SourceError (file:line:column: reason) for unreadable files,
  /// bad YAML, dangling or cyclic `$ref`s, schemas with an unknown `type`, a
  /// document that is not OpenAPI 3.0, and operations that cannot be read.
  static std::shared_ptr<const Contract> load(const std::filesystem::path& path);
  /// The same from text in memory (tests, documents served over HTTP).
  static std::shared_ptr<const Contract> parse(const std::string& text, const std::string& name,
                                               const std::filesystem::path& base_dir = ".");

  const std::string& title() const { return title_; }
  const std::string& version() const { return version_; }
  const std::vector<Operation>& operations() const { return operations_; }
  const DocumentSet& documents() const { return docs_; }
  const SchemaValidator& validator() const { return *validator_; }

  const Operation* find(std::string_view operation_id) const;

  /// Matches a method and a concrete path (query string ignored) to an
  /// operation; literal segments win over templated ones.
  Match match(std::string_view method, std::string_view path) const;

  /// Validates a request body. An undocumented content type is a violation.
  std::vector<Violation> validate_request(const Operation& op, std::string_view content_type,
                                          const nlohmann::json& body) const;

  /// Validates a parameter's raw text (coerced to the schema's type first).
  std::vector<Violation> validate_parameter(const Parameter& param, std::string_view raw) const;

  /// Validates a response: the status must be documented, the content type
  /// must be one of that response's, and the body (when `body` is given)
  /// must match its schema. `headers` are checked for the required ones
  /// when given (lower-case names -> values).
  std::vector<Violation> validate_response(const Operation& op, int status, std::string_view content_type,
                                           const nlohmann::json* body,
                                           const std::map<std::string, std::string>* headers = nullptr) const;

  /// Runs `visit(schema)` for every Schema Object the document defines,
  /// nested ones included (not following `$ref`).
  template <typename Visit>
  void for_each_schema(Visit&& visit) const;

 private:
  static std::shared_ptr<const Contract> ready(std::shared_ptr<Contract> c);  ///< operations read, schemas checked
  explicit Contract(DocumentSet docs);
  void read_operations();
  void check_schemas() const;

  DocumentSet docs_;
  std::unique_ptr<SchemaValidator> validator_;
  std::string title_;
  std::string version_;
  std::vector<Operation> operations_;
  std::vector<std::vector<std::string_view>> templates_;  ///< per operation: its path's segments
  std::vector<NodeRef> schema_roots_;  ///< every `schema`/components schema, for walks
};

/// Calls `visit(NodeRef)` for `schema` and every schema nested in it.
void walk_schema(const NodeRef& schema, const std::function<void(const NodeRef&)>& visit);

template <typename Visit>
void Contract::for_each_schema(Visit&& visit) const {
  for (const auto& root : schema_roots_) walk_schema(root, visit);
}

}  // namespace tollgate::contract
