#pragma once
// The statuses a probe case passes with, shared by single cases and chains.
#include <set>
#include <vector>

#include "contract/operation.h"

namespace tollgate::probe {

/// Every status the operation documents ("4XX" as 400..499; not "default").
std::set<int> documented(const contract::Operation& op);
/// Any 2xx: what a request that must succeed may get.
std::vector<int> success();
/// A valid request: any 2xx, or a documented 4xx that is not a refusal of
/// its input or its credentials (404 for an id that does not exist,
/// 402/429 when the account is out of quota or rate).
std::vector<int> accepted(const contract::Operation& op);
/// An invalid request: a 4xx that is not about credentials.
std::vector<int> refused();

}  // namespace tollgate::probe
