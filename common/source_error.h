#pragma once
#include <stdexcept>
#include <string>

namespace tollgate {

/// A place in a source file; line and column are 1-based, 0 when unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:column", or "file" / "file:line" when those are unknown.
  std::string to_string() const;
};

/// A configuration or document error that names where it was found:
/// what() is "file:line:column: message".
class SourceError : public std::runtime_error {
 public:
  SourceError(SourceLocation where, const std::string& message);

  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

}  // namespace tollgate
