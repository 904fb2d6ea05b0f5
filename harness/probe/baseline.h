#pragma once
// A probe baseline: the cases known to fail, by name, one per line ('#'
// starts a comment), so that CI fails only on new failures. Names are
// stable for one contract and one --seed.
#include <set>
#include <string>
#include <vector>

namespace tollgate::probe {

/// Reads a baseline; throws SourceError naming the file (and the line) when
/// it cannot be read or a line is not printable text.
std::set<std::string> read_baseline(const std::string& path);

/// Writes the names, with a comment saying what they are; throws
/// std::runtime_error naming the file when it cannot be written.
void write_baseline(const std::string& path, const std::vector<std::string>& names, const std::string& about);

}  // namespace tollgate::probe
