#pragma once
// The variables every scenario has without declaring them: written once
// here, for the loader (which names them) and the engine (which gives
// their values).
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace tollgate::flow {

/// {{uuid}} a fresh version 4 UUID, {{iteration}} the scenario's iteration
/// number (0-based, all workers), {{vu}} the virtual user (open model: the
/// worker), {{now_ms}} Unix milliseconds, {{callback_url}} where the
/// callback receiver listens.
inline constexpr std::array<std::string_view, 5> kBuiltinVariables = {"uuid", "iteration", "vu", "now_ms",
                                                                      "callback_url"};

/// What the built-ins are made of, for one iteration.
struct BuiltinContext {
  std::int64_t iteration = 0;
  int vu = 0;
  std::mt19937_64* rng = nullptr;
  const Clock* clock = nullptr;
  const std::string* callback_url = nullptr;  ///< nullptr: no receiver in this run
};

/// The value of built-in `name`, or nothing when it is not one (or has no
/// value in this run).
std::optional<nlohmann::json> builtin(std::string_view name, const BuiltinContext& context);

/// A random version 4 UUID.
std::string uuid4(std::mt19937_64& rng);

}  // namespace tollgate::flow
