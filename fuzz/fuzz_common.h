#pragma once
// What every fuzz target shares: the input as text, and how an invariant
// that does not hold becomes a finding (abort: libFuzzer saves the input).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tollgate::fuzz {

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

[[noreturn]] inline void broken(const char* file, int line, const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n== fuzz invariant broken at %s:%d: %s%s%s\n", file, line, what, detail.empty() ? "" : ": ",
               detail.c_str());
  std::abort();
}

}  // namespace tollgate::fuzz

/// An invariant of the API under test; a broken one is a finding.
#define FUZZ_CHECK(cond, detail) \
  do {                           \
    if (!(cond)) ::tollgate::fuzz::broken(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)
