#pragma once
#include "apps/tollgate/flags.h"

namespace tollgate::cli {

/// `tollgate hit URL`: one step, no YAML; same options and outputs as run.
int hit(const HitFlags& hit, const RunFlags& flags);

}  // namespace tollgate::cli
