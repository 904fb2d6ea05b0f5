#pragma once
// Smaller versions of a failing probe case, to find the least request that
// still fails: each one its body with one optional property left out (at
// the top or one object down), or an array cut to its first item. Every
// candidate is re-validated against the contract as it will be sent: its
// body must break exactly the rules the case's body broke (none for a
// valid case), so a shrunk negative is still the same negative and a
// shrunk positive still valid. Pure: the probe command sends them.
#include <vector>

#include "harness/probe/cases.h"

namespace tollgate::probe {

/// The candidates for `k` (empty when its body is not a JSON object, or
/// it is a chain's step), smallest first; at most `limit`.
std::vector<Case> shrink_candidates(const contract::Contract& c, const Case& k, std::size_t limit = 64);

}  // namespace tollgate::probe
