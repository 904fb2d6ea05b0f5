#include "harness/probe/baseline.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "common/printable.h"
#include "common/source_error.h"

namespace tollgate::probe {

std::set<std::string> read_baseline(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SourceError({path, 0, 0}, std::string("cannot read the baseline: ") + std::strerror(errno));
  std::set<std::string> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n > 1'000'000 || out.size() > 100'000) throw SourceError({path, n, 0}, "more than 100,000 cases: not a baseline");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first, line.find_last_not_of(" \t") - first + 1);
    if (printable(line, line.size() + 1) != line)
      throw SourceError({path, n, 1}, "not a case name (control characters or bytes that are not UTF-8)");
    out.insert(line);
  }
  return out;
}

void write_baseline(const std::string& path, const std::vector<std::string>& names, const std::string& about) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  out << "# tollgate probe baseline: " << printable(about, 400) << "\n"
      << "# the cases known to fail, one per line; `tollgate probe --baseline " << printable(path, 200)
      << "` fails only on others\n";
  for (const auto& n : names) out << printable(n, 1000) << "\n";
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace tollgate::probe
