#pragma once
// Where the binaries find the data they ship with: the contracts (spec/),
// the bundled scenarios (scenarios/) and the mock's fixtures (fixtures/),
// laid out as in the source tree (a scenario's `spec: ../../spec/x.yaml`
// holds in every copy). No path of the build machine is compiled in.
#include <filesystem>

namespace tollgate {

/// The data directory, looked up in this order:
///   1. $TOLLGATE_DATA_DIR, when set and not empty (taken as it is);
///   2. <directory of the running executable>/../share/tollgate: an
///      installed tree (PREFIX/bin/tollgate beside PREFIX/share/tollgate,
///      wherever PREFIX was copied to), and the build tree, where the build
///      makes build/share/tollgate/{spec,scenarios,fixtures} links into the
///      source tree beside build/bin/.
/// The executable is /proc/self/exe with its links resolved. When 2. does not
/// exist either, it is still returned: errors then name where it was looked for.
std::filesystem::path data_dir();

}  // namespace tollgate
