// Bytes as a summary.json: reports::read_summary (what `tollgate report`,
// `merge` and `compare` read with; SourceError naming the file is its one
// documented refusal), and, when it reads, what `tollgate merge` does with
// two copies of it (reports::merge_runs, documented to refuse only runs of
// another scenario, which a copy is not): every count doubles. The bytes go
// to an in-memory file (memfd) whose /proc path the reader opens.
#include <sys/mman.h>
#include <unistd.h>

#include "common/source_error.h"
#include "fuzz/fuzz_common.h"
#include "reports/summary_reader.h"

using namespace tollgate;

namespace {

const std::string& summary_path(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("summary.json", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
    fuzz::broken(__FILE__, __LINE__, "memfd", "");
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  reports::LoadedRun run;
  try {
    run = reports::read_summary(summary_path(data, size));
  } catch (const SourceError&) {
    return 0;  // a clean refusal
  }
  const auto& r = run.run;
  (void)r.passed();
  const std::int64_t requests = r.requests();

  const auto one = reports::merge_runs({run});
  FUZZ_CHECK(one.run.requests() == requests, "merging one run changed its requests");
  const auto two = reports::merge_runs({run, run});
  FUZZ_CHECK(two.run.scenarios.size() <= r.scenarios.size(), "");
  if (requests >= 0 && requests < (std::int64_t{1} << 61))
    FUZZ_CHECK(two.run.requests() == 2 * requests,
               std::to_string(two.run.requests()) + " != 2 x " + std::to_string(requests));
  FUZZ_CHECK(two.run.start_unix_ms == r.start_unix_ms && two.run.end_unix_ms == r.end_unix_ms, "");
  (void)two.run.passed();
  return 0;
}
