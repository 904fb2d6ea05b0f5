#pragma once
// Stateful sequences for `tollgate probe`, inferred from the contract: when
// an operation's answer carries a value that another operation takes as a
// required path or query parameter (`id` for `response_id` under
// /responses, `taskId` for `taskId`, `data.task_id` for `task_id`), the
// first is sent, the value extracted, and the second sent with it: what
// was created must be readable. A DELETE is followed by a read of the same
// id, which must then be refused (404 where documented).
#include <vector>

#include "harness/probe/cases.h"

namespace tollgate::probe {

/// Chains built from `cases` (the single cases generate_cases made: each
/// chain starts with a copy of a valid case of its producer). Each chain's
/// cases share a `chain` number above every one in `cases`, in the order
/// they are sent; notes say which links were inferred.
std::vector<Case> chain_cases(const contract::Contract& c, const CaseOptions& options, const std::vector<Case>& cases,
                              std::vector<std::string>& notes);

}  // namespace tollgate::probe
