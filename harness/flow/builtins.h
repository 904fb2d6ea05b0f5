#pragma once
// The values of the variables every scenario has without declaring them
// (scenario::kBuiltinVariables names them, for the loader).
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace tollgate::flow {

/// What the built-ins are made of, for one iteration.
struct BuiltinContext {
  std::int64_t iteration = 0;
  int vu = 0;
  std::mt19937_64* rng = nullptr;
  const Clock* clock = nullptr;
  const std::string* callback_url = nullptr;  ///< nullptr: no receiver in this run
};

/// The value of built-in `name` (one of scenario::kBuiltinVariables), or
/// nothing when it is not one (or has no value in this run).
std::optional<nlohmann::json> builtin(std::string_view name, const BuiltinContext& context);

/// A random version 4 UUID.
std::string uuid4(std::mt19937_64& rng);

}  // namespace tollgate::flow
