#pragma once
// The bytes of a fuzz input as a contract, for the targets that load one.
#include <memory>
#include <string>

#include "contract/contract.h"

namespace tollgate::fuzz {

/// The contract `text` is, its $refs to other files resolved beside the
/// bundled contracts; nullptr for a clean refusal (SourceError, the only
/// one Contract::parse documents).
inline std::shared_ptr<const contract::Contract> contract_of(const std::string& text) {
  try {
    return contract::Contract::parse(text, "fuzz.yaml", TOLLGATE_FUZZ_SPEC_DIR);
  } catch (const SourceError&) {
    return nullptr;
  }
}

}  // namespace tollgate::fuzz
