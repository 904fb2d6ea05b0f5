#include "common/source_error.h"

namespace tollgate {

std::string SourceLocation::to_string() const {
  std::string out = file.empty() ? "<input>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

SourceError::SourceError(SourceLocation where, const std::string& message)
    : std::runtime_error(where.to_string() + ": " + message), where_(std::move(where)), message_(message) {}

}  // namespace tollgate
