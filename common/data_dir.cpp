#include "common/data_dir.h"

#include <cstdlib>
#include <system_error>

// Set by the build from GNUInstallDirs (bin/ to share/tollgate/).
#ifndef TOLLGATE_DATA_FROM_BIN
#define TOLLGATE_DATA_FROM_BIN "../share/tollgate"
#endif

namespace tollgate {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("TOLLGATE_DATA_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return TOLLGATE_DATA_FROM_BIN;
  return (exe.parent_path() / TOLLGATE_DATA_FROM_BIN).lexically_normal();
}

}  // namespace tollgate
