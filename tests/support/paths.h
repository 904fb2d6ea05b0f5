#pragma once
#include <filesystem>
#include <string>

namespace tollgate::test {

/// The repository's spec/ directory (set by CMake).
inline std::filesystem::path spec_dir() { return TOLLGATE_SPEC_DIR; }
inline std::filesystem::path spec(const std::string& file) { return spec_dir() / file; }

/// The mock's default fixture.
inline std::filesystem::path default_fixture() { return TOLLGATE_DEFAULT_FIXTURE; }

/// The five bundled contracts.
inline const char* const kContracts[] = {"aiapigiare-system.yaml", "aiapigiare-media.yaml", "aimichat.yaml",
                                         "aiproxy.yaml", "apixo.yaml"};

}  // namespace tollgate::test
