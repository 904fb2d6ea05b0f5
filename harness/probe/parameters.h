#pragma once
// A parameter's value for a probe case, as text: what the contract shows
// (the parameter's or its schema's example or default, an enum's first
// value), else one generated from its schema and checked against it.
#include <cstdint>
#include <optional>
#include <string>

#include "contract/contract.h"

namespace tollgate::probe {

/// `shown_first`: the contract's own value before a generated one. nullopt
/// when neither can be had.
std::optional<std::string> parameter_value(const contract::Contract& c, const contract::Parameter& p,
                                           std::uint64_t seed, bool shown_first);

}  // namespace tollgate::probe
