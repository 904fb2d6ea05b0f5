#pragma once
// Rendering {{variables}} into requests.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/scenario/scenario.h"

namespace tollgate::flow {

/// Looks a variable up; nullopt when it has no value (yet).
using Lookup = std::function<std::optional<nlohmann::json>(const std::string&)>;

/// The text of a value in a string: strings as they are, the rest as JSON.
std::string text_of(const nlohmann::json& v);

/// Renders a template; `missing` names the first variable without a value.
std::string render(const scenario::Template& t, const Lookup& lookup, std::string* missing = nullptr,
                   bool percent_encode = false);

/// A templated step's body with its variables in: each of the step's
/// body_templates rendered at its place. A string that is exactly one
/// placeholder takes the variable's JSON value (a number stays a number).
nlohmann::json render_body(const scenario::Step& step, const Lookup& lookup, std::string* missing = nullptr);

}  // namespace tollgate::flow
