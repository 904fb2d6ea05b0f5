#pragma once
// Reading a document's paths into operations: parameters, request bodies,
// responses with their headers, callbacks; every schema they hold is noted
// for the walks that check schemas. Internal to contract/.
#include <string>
#include <string_view>
#include <vector>

#include "contract/document_set.h"
#include "contract/operation.h"

namespace tollgate::contract::detail {

inline constexpr const char* kMethods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

/// "get" -> "GET".
std::string upper(std::string_view s);
/// Throws SourceError at `at`.
[[noreturn]] void fail(const NodeRef& at, const std::string& message);
/// The string at `key` of a mapping, or "".
std::string string_at(const NodeRef& obj, std::string_view key);

class OperationReader {
 public:
  OperationReader(const DocumentSet& docs, std::vector<Operation>& operations, std::vector<NodeRef>& schema_roots)
      : docs_(docs), operations_(operations), schema_roots_(schema_roots) {}

  /// Every operation of `paths` (a document needs one); throws SourceError
  /// naming what is malformed.
  void read_paths(const NodeRef& paths, const NodeRef& root);

 private:
  Operation operation(const NodeRef& opn, const char* method, const std::string& path,
                      const std::vector<Parameter>& shared);
  Parameter parameter(const NodeRef& raw);
  std::vector<MediaType> media_types(const NodeRef& content);
  void responses(Operation& op, const NodeRef& opn);
  void callbacks(Operation& op, const NodeRef& opn);

  const DocumentSet& docs_;
  std::vector<Operation>& operations_;
  std::vector<NodeRef>& schema_roots_;
};

}  // namespace tollgate::contract::detail
