#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/source_error.h"
#include "common/yaml_json.h"

namespace tollgate::contract {

/// One loaded file of a contract.
struct Document {
  std::string path;  ///< as given or resolved relative to the referring file
  std::string name;  ///< file name, used in schema pointers ("aiproxy.yaml")
  nlohmann::json value;
  SourceMap sources;
};

/// A JSON node inside one of the documents, with where it lives.
struct NodeRef {
  const Document* doc = nullptr;
  const nlohmann::json* node = nullptr;
  std::string pointer;  ///< JSON pointer of `node` inside `doc`

  /// "file.yaml#/pointer", how violations name a schema location.
  std::string uri() const { return doc->name + "#" + pointer; }
  SourceLocation location() const { return doc->sources.locate(doc->path, pointer); }
  /// The child `key` of this object node, or an empty ref when absent.
  NodeRef child(std::string_view key) const;
  NodeRef item(std::size_t index) const;
  explicit operator bool() const { return node != nullptr; }
};

/// A root document plus every sibling file its `$ref`s reach, all loaded
/// eagerly so that every reference is known to resolve once construction
/// succeeds.
class DocumentSet {
 public:
  /// Loads `root_path` and the files it references. Throws SourceError for
  /// unreadable files, bad YAML/JSON and dangling `$ref`s (naming the file,
  /// line and column of the `$ref`).
  static DocumentSet load(const std::filesystem::path& root_path);
  /// The same from text already in memory (`name` stands for the file name);
  /// references to other files resolve relative to `base_dir`.
  static DocumentSet parse(const std::string& text, const std::string& name,
                           const std::filesystem::path& base_dir = ".");

  /// A document already parsed, such as a schema a client sent: `name`
  /// names it in messages. Its `$ref`s must point inside it ("#/..."); none
  /// is allowed to reach a file.
  static DocumentSet from_json(nlohmann::json value, const std::string& name);

  const Document& root() const { return *docs_.front(); }
  /// Every loaded file, the root first.
  const std::vector<std::unique_ptr<Document>>& documents() const { return docs_; }
  NodeRef root_ref() const { return {docs_.front().get(), &docs_.front()->value, ""}; }

  /// Resolves a `$ref` string found in `from`. Never fails after load().
  NodeRef resolve(const Document& from, std::string_view ref) const;
  /// Follows `$ref` chains from `node` to a node without `$ref`.
  NodeRef deref(NodeRef node) const;

 private:
  const Document* find_file(const std::string& path) const;
  void add(std::unique_ptr<Document> doc);
  void check_refs(const Document& doc);

  std::vector<std::unique_ptr<Document>> docs_;
  bool local_only_ = false;  ///< from_json: no reference may leave the document
};

}  // namespace tollgate::contract
