#pragma once
// Taking variables out of an answer: body JSON Pointers and headers.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scenario/scenario.h"

namespace tollgate::flow {

/// The value of a response header (any case), or nothing.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

/// The extracts of a step from an answer: var -> value; `error` names the
/// first one that could not be taken and why.
std::map<std::string, nlohmann::json> extract(const std::vector<scenario::Extract>& extracts, const std::string& body,
                                              const HeaderLookup& header, std::string& error);

}  // namespace tollgate::flow
