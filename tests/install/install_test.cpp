// The installed tree and the Debian package (cmake/install.cmake): what
// `cmake --install` and `cpack -G DEB` make, run or listed as a user would.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& p) { return sh_quote(p.string()); }

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh directory under /tmp, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tollgate-install-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// `cmake --install` of this build into a temporary prefix, which is then
// moved away: the tree runs from where it was moved to, the prefix it was
// installed to no longer exists. No TOLLGATE_DATA_DIR or TOLLGATE_SPEC_DIR:
// the binaries find their data on their own.
class Install : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("TOLLGATE_DATA_DIR");
    unsetenv("TOLLGATE_SPEC_DIR");
    const fs::path staged = tmp_.path() / "staged";
    const auto o = run_shell(std::string(TOLLGATE_CMAKE) + " --install " + quoted(TOLLGATE_BUILD_DIR) + " --prefix " +
                             quoted(staged) + " --strip");
    ASSERT_EQ(o.exit_code, 0) << o.output;
    prefix_ = tmp_.path() / "moved" / "opt";
    fs::create_directories(prefix_.parent_path());
    fs::rename(staged, prefix_);
  }

  Outcome in_tmp(const std::string& command) { return run_shell("cd " + quoted(tmp_.path()) + " && " + command); }

  TempDir tmp_;
  fs::path prefix_;
};

TEST_F(Install, PutsTheBinariesTheDataTheCompletionAndTheManPagesInPlace) {
  for (const char* file : {"bin/tollgate", "bin/tollgate-mock", "share/tollgate/spec/aiproxy.yaml",
                           "share/tollgate/spec/aiapigiare-media.yaml", "share/tollgate/scenarios/conformance/aimichat.yaml",
                           "share/tollgate/scenarios/examples/prompts.csv", "share/tollgate/fixtures/default.yaml",
                           "share/bash-completion/completions/tollgate", "share/bash-completion/completions/tollgate-mock",
                           "share/man/man1/tollgate.1", "share/man/man1/tollgate-mock.1"})
    EXPECT_TRUE(fs::is_regular_file(prefix_ / file)) << file;
}

TEST_F(Install, TheBinariesHoldNoPathOfTheBuildMachine) {
  if (TOLLGATE_SANITIZED)
    GTEST_SKIP() << "AddressSanitizer and UBSan keep every source file's path in the binary for their reports; "
                    "a sanitized build is not one to install";
  for (const char* binary : {"bin/tollgate", "bin/tollgate-mock"}) {
    const std::string bytes = read_bytes(prefix_ / binary);
    ASSERT_GT(bytes.size(), 100'000u) << binary;
    EXPECT_EQ(bytes.find(TOLLGATE_SOURCE_DIR), std::string::npos) << binary << " holds " << TOLLGATE_SOURCE_DIR;
    EXPECT_EQ(bytes.find(TOLLGATE_BUILD_DIR), std::string::npos) << binary << " holds " << TOLLGATE_BUILD_DIR;
  }
}

TEST_F(Install, TheMockRunsFromTheMovedTreeAndPassesABundledConformanceSuite) {
  // The mock's defaults name the data beside it.
  const auto help = in_tmp(quoted(prefix_ / "bin/tollgate-mock") + " --help");
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find((prefix_ / "share/tollgate/spec").string()), std::string::npos) << help.output;
  EXPECT_NE(help.output.find((prefix_ / "share/tollgate/fixtures/default.yaml").string()), std::string::npos)
      << help.output;

  Child mock({(prefix_ / "bin/tollgate-mock").string(), "--listen", "127.0.0.1:0", "--threads", "1"});
  const std::string first = mock.first_line(std::chrono::seconds(20));
  ASSERT_NE(first.find("http://"), std::string::npos) << first;
  const std::string url = first.substr(first.find("http://"));

  const fs::path out = tmp_.path() / "out";
  const auto run = in_tmp(quoted(prefix_ / "bin/tollgate") + " run " +
                          quoted(prefix_ / "share/tollgate/scenarios/conformance/aimichat.yaml") + " -q --env TARGET=" +
                          url + "/aimichat --out " + quoted(out));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(out / "summary.json");
  ASSERT_TRUE(in) << run.output;
  const auto summary = nlohmann::json::parse(in);
  EXPECT_EQ(summary["totals"]["checks"]["failed"], 0) << run.output;
  EXPECT_GT(summary["totals"]["checks"]["passed"].get<int>(), 5) << run.output;
}

TEST_F(Install, TollgateDataDirOverridesTheLookup) {
  const fs::path nowhere = tmp_.path() / "nowhere";
  const auto o = in_tmp("TOLLGATE_DATA_DIR=" + quoted(nowhere) + " " + quoted(prefix_ / "bin/tollgate-mock") +
                        " --listen 127.0.0.1:0");
  EXPECT_NE(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find(nowhere.string()), std::string::npos) << o.output;
}

// The installed completion: valid bash, the same as `tollgate completion
// bash` prints, and it completes commands, options and option values.
TEST_F(Install, BashCompletionCompletesCommandsOptionsAndValues) {
  const fs::path script = prefix_ / "share/bash-completion/completions/tollgate";
  const auto printed = in_tmp(quoted(prefix_ / "bin/tollgate") + " completion bash");
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  EXPECT_EQ(printed.output, read_bytes(script));
  const auto syntax = run_shell("bash -n " + quoted(script));
  EXPECT_EQ(syntax.exit_code, 0) << syntax.output;

  // COMPREPLY for the words typed so far (the last one is being completed).
  auto complete = [&](const std::string& program, const std::string& words) {
    const fs::path file = prefix_ / "share/bash-completion/completions" / program;
    std::string fn = "_" + program;
    for (auto& c : fn)
      if (c == '-') c = '_';
    const auto o = run_shell("bash -c 'source " + file.string() + "; COMP_WORDS=(" + words +
                             "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); " + fn + "; echo \"${COMPREPLY[*]}\"'");
    return o.output.substr(0, o.output.find('\n'));
  };
  EXPECT_EQ(complete("tollgate", "tollgate me"), "merge");
  EXPECT_EQ(complete("tollgate", "tollgate co"), "completion contract coverage compare");
  EXPECT_EQ(complete("tollgate", "tollgate contract \"\""), "lint ops diff");
  EXPECT_EQ(complete("tollgate", "tollgate merge --o"), "--out");
  EXPECT_EQ(complete("tollgate", "tollgate contract diff --format \"\""), "text markdown json");
  EXPECT_EQ(complete("tollgate", "tollgate run x.yaml --env merge --ou"), "--out");
  EXPECT_EQ(complete("tollgate-mock", "tollgate-mock --lat"), "--latency");
  EXPECT_EQ(complete("tollgate-mock", "tollgate-mock --latency r"), "realistic");
}

// `cpack -G DEB` of this build: the package holds the tree under /usr and
// depends on the Debian 12 libraries the binaries link.
TEST(Package, DebHoldsTheTreeAndDependsOnDebiansRuntimeLibraries) {
  if (TOLLGATE_SANITIZED) GTEST_SKIP() << "a package of a sanitized build is of no use to anyone; build/ tests it";
  TempDir tmp;
  const auto o = run_shell("cd " + quoted(tmp.path()) + " && " + TOLLGATE_CPACK + " -G DEB --config " +
                               quoted(fs::path(TOLLGATE_BUILD_DIR) / "CPackConfig.cmake") + " -B " + quoted(tmp.path()),
                           std::chrono::seconds(120));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const fs::path deb = tmp.path() / ("tollgate_" TOLLGATE_VERSION "_amd64.deb");
  ASSERT_TRUE(fs::is_regular_file(deb)) << o.output;

  const auto list = run_shell("dpkg-deb -c " + quoted(deb));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  std::cout << list.output;
  for (const char* file :
       {"./usr/bin/tollgate", "./usr/bin/tollgate-mock", "./usr/share/tollgate/spec/aiproxy.yaml",
        "./usr/share/tollgate/spec/apixo.yaml", "./usr/share/tollgate/scenarios/conformance/aimichat.yaml",
        "./usr/share/tollgate/scenarios/capacity/chat-streaming.yaml", "./usr/share/tollgate/fixtures/default.yaml",
        "./usr/share/man/man1/tollgate.1", "./usr/share/man/man1/tollgate-mock.1",
        "./usr/share/bash-completion/completions/tollgate"})
    EXPECT_NE(list.output.find(std::string(file) + "\n"), std::string::npos) << file;

  const auto fields = run_shell("dpkg-deb -f " + quoted(deb) + " Package Version Architecture Depends");
  ASSERT_EQ(fields.exit_code, 0) << fields.output;
  std::cout << fields.output;
  EXPECT_NE(fields.output.find("Package: tollgate\n"), std::string::npos) << fields.output;
  EXPECT_NE(fields.output.find("Version: " TOLLGATE_VERSION "\n"), std::string::npos) << fields.output;
  for (const char* library : {"libc6", "libstdc++6", "libssl3", "libyaml-cpp0.7", "libsqlite3-0", "zlib1g"})
    EXPECT_NE(fields.output.find(library), std::string::npos) << library << " missing from " << fields.output;

  // Unpacked anywhere, its binaries run and find their data beside them.
  const fs::path root = tmp.path() / "root";
  const auto x = run_shell("dpkg-deb -x " + quoted(deb) + " " + quoted(root));
  ASSERT_EQ(x.exit_code, 0) << x.output;
  const auto version = run_shell(quoted(root / "usr/bin/tollgate") + " version");
  EXPECT_EQ(version.output, "tollgate " TOLLGATE_VERSION "\n");
  const auto help = run_shell("env -u TOLLGATE_DATA_DIR -u TOLLGATE_SPEC_DIR " + quoted(root / "usr/bin/tollgate-mock") + " --help");
  EXPECT_NE(help.output.find((root / "usr/share/tollgate/spec").string()), std::string::npos) << help.output;
}

}  // namespace
}  // namespace tollgate::test
