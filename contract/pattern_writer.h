#pragma once
// One string a regular expression matches, written from the pattern's
// common subset (literals, classes and ranges, \d \w \s, groups with |,
// quantifiers), for the value generator.
#include <cstdint>
#include <optional>
#include <string>

namespace tollgate::contract {

/// A string `pattern` matches (deterministic for a seed), or nullopt for
/// what it does not write: lookarounds, back references, negated classes.
/// Check the result with a regex; anchors are ignored, not enforced.
std::optional<std::string> string_matching(const std::string& pattern, std::uint64_t seed);

}  // namespace tollgate::contract
