#pragma once
// The wording of checks: the names results report them by, and what a
// body assertion says when it fails. Internal to check/.
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scenario/scenario.h"

namespace tollgate::check {

std::string status_name(const std::vector<int>& expected);
std::string header_name(const scenario::HeaderCheck& h);
std::string body_name(const scenario::BodyCheck& b);
std::string extract_name(const std::vector<scenario::Extract>& extracts);
std::string poll_name(const scenario::Poll& poll);

/// Why the body assertion fails on `doc`, or nothing when it holds;
/// `re` is its compiled pattern (matches only).
std::optional<std::string> body_failure(const scenario::BodyCheck& b, const nlohmann::json& doc, const std::regex* re);

}  // namespace tollgate::check
