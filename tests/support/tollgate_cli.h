#pragma once
// What the end-to-end tests of `tollgate` share: running the binary as a
// user would, reading the JSON it writes, and the URL a mock announces.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"

namespace tollgate::test {

/// `tollgate ARGS` through the shell (a bound on a hung run, not a speed).
inline Outcome tollgate(const std::string& args, std::chrono::seconds timeout = std::chrono::seconds(240)) {
  return run_shell(std::string(TOLLGATE_BINARY) + " " + args, timeout);
}

inline nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

/// The base URL a started tollgate-mock prints on its first line.
inline std::string announced_url(Child& mock) {
  const std::string first = mock.first_line(std::chrono::seconds(10));
  return first.substr(first.find("http://"));
}

}  // namespace tollgate::test
