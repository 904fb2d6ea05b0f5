#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/source_error.h"

namespace tollgate {

/// Where each value of a converted document came from: JSON pointer
/// ("" for the root, "/paths/~1v1~1models") -> line and column (1-based).
class SourceMap {
 public:
  void add(std::string pointer, int line, int column) { marks_.emplace(std::move(pointer), Mark{line, column}); }
  void add_key(std::string pointer, int line, int column) { keys_.emplace(std::move(pointer), Mark{line, column}); }

  /// Location of `pointer`, or of its nearest ancestor that has one.
  SourceLocation locate(const std::string& file, std::string_view pointer) const;
  /// Location of the key that names `pointer` (its value's when unknown).
  SourceLocation locate_key(const std::string& file, std::string_view pointer) const;

 private:
  struct Mark {
    int line;
    int column;
  };
  std::unordered_map<std::string, Mark> marks_;
  std::unordered_map<std::string, Mark> keys_;
};

/// A YAML (or JSON, which is YAML) document converted to JSON.
struct YamlDocument {
  nlohmann::json value;
  SourceMap sources;
};

/// Parses YAML text into JSON with the YAML 1.2 core schema: plain scalars
/// become null, booleans, integers or floats when they look like one, quoted
/// scalars stay strings. Duplicate mapping keys, non-scalar keys and nesting
/// deeper than 256 levels are errors, and so are aliases that expand the
/// document past 10,000 + 16 values per byte of text (or 1 MiB + 16 bytes
/// per byte of scalars): a bounded cost for any input.
/// Throws SourceError naming `file_name`, the line and column, and the reason.
YamlDocument parse_yaml(const std::string& text, const std::string& file_name);

/// The whole content of a file; throws SourceError naming it when it cannot be read.
std::string read_text_file(const std::string& path);

/// Reads and parses a file; throws SourceError when it cannot be read.
YamlDocument load_yaml_file(const std::string& path);

/// Escapes one JSON pointer token ("~" -> "~0", "/" -> "~1").
std::string escape_pointer_token(std::string_view token);

}  // namespace tollgate

namespace tollgate {

/// Calls `visit(object, pointer)` for every JSON object inside `root` (root
/// included), parents before children.
void for_each_object(const nlohmann::json& root,
                     const std::function<void(const nlohmann::json&, const std::string&)>& visit);

}  // namespace tollgate
