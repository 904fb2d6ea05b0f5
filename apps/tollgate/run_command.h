#pragma once
#include <string>
#include <vector>

#include "apps/tollgate/flags.h"

namespace tollgate::cli {

/// `tollgate run FILE`: returns an ExitCode.
int run_file(const std::string& file, const RunFlags& flags);
/// `tollgate coverage SPEC SCENARIO...`: what the scenarios would cover.
int coverage(const std::string& spec, const std::vector<std::string>& files, const RunFlags& flags);
/// `tollgate validate FILE`: checks a scenario without sending anything.
int validate_file(const std::string& file, const RunFlags& flags);

}  // namespace tollgate::cli
