// `tollgate hit` against a target that misbehaves on purpose
// (tests/support/chaos_target.h): for each misbehaviour the run ends by
// itself, every request is counted under the expected kind, and every
// report is written and readable.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/printable.h"
#include "tests/support/chaos_target.h"
#include "tests/support/child_process.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Outcome {
  int exit_code = -1;
  std::string output;
  json summary;  ///< the step's figures
};

class Chaos : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-chaos-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One closed-model second with two users (and `extra` flags); the run
  // must end by itself within 30 s and write all four reports.
  Outcome hit(const std::string& path, const std::string& extra = "") {
    Child c({"/bin/sh", "-c", std::string(TOLLGATE_BINARY) + " hit " + target_.url(path) +
                                  " --vus 2 --duration 1s --quiet --out " + dir_.string() + " " + extra + " 2>&1"});
    Outcome o;
    o.output = c.all_output(std::chrono::seconds(30));
    const int status = c.wait_exit(std::chrono::seconds(5));
    o.exit_code = status == -1 ? -1 : WEXITSTATUS(status);
    for (const char* f : {"summary.json", "junit.xml", "metrics.prom", "report.html"})
      EXPECT_TRUE(fs::is_regular_file(dir_ / f)) << f << " not written: " << o.output;
    std::ifstream in(dir_ / "summary.json");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(is_utf8(text.str()));
    const json s = json::parse(text.str(), nullptr, false);
    if (!s.is_discarded()) o.summary = s["scenarios"][0]["steps"][0];
    EXPECT_TRUE(o.summary.is_object()) << o.output;
    return o;
  }

  // requests = answered + failed, and every failure under `kind`.
  static void expect_all_failed_as(const Outcome& o, const std::string& kind) {
    const std::int64_t requests = o.summary["requests"];
    EXPECT_GT(requests, 0) << o.output;
    EXPECT_EQ(o.summary["errors"].value(kind, 0), requests) << o.summary["errors"].dump() << "\n" << o.output;
    EXPECT_EQ(o.summary["error_count"], requests);
  }

  ChaosTarget target_;
  fs::path dir_;
};

TEST_F(Chaos, AHealthyTargetPasses) {
  const auto o = hit("/ok");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.summary["error_count"], 0);
}

TEST_F(Chaos, RequestsCutOffByTheEndAreCountedAsAbortedNeverDropped) {
  for (const std::string path : {"/hang", "/head-hang"}) {
    const auto o = hit(path);
    EXPECT_EQ(o.exit_code, 3) << path << ": not one answered is never a pass\n" << o.output;
    expect_all_failed_as(o, "aborted");
    EXPECT_NE(o.output.find("answered none of the"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("aborted: "), std::string::npos) << "the kind's message is shown: " << o.output;
  }
}

TEST_F(Chaos, TimeoutFlagsBoundEachRequest) {
  const auto o = hit("/hang", "--timeout 200ms");
  EXPECT_EQ(o.exit_code, 3) << o.output;
  expect_all_failed_as(o, "timeout");
  EXPECT_GE(o.summary["requests"].get<int>(), 4) << "two users, 1 s, 200 ms each";
  EXPECT_NE(o.output.find("read: timed out"), std::string::npos) << o.output;
}

TEST_F(Chaos, AnEndlessBodyFailsAtMaxBody) {
  const auto o = hit("/endless", "--max-body 1MiB");
  EXPECT_EQ(o.exit_code, 3) << o.output;
  expect_all_failed_as(o, "protocol");
  EXPECT_NE(o.output.find("larger than 1048576 bytes"), std::string::npos) << o.output;
}

TEST_F(Chaos, BytesThatAreNotUtf8AreQuotedEscapedAndTheReportsWritten) {
  const auto o = hit("/latin1");
  EXPECT_EQ(o.exit_code, 0) << "answered, no threshold: " << o.output;
  expect_all_failed_as(o, "status");
  EXPECT_NE(o.output.find("caf\\xE9 indisponible \\xFF!"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("requests failed (100.00%)"), std::string::npos) << "the error rate is shown: " << o.output;
}

TEST_F(Chaos, ALongMultiByteBodyIsCutBetweenCharacters) {
  const auto o = hit("/long-utf8");
  EXPECT_TRUE(is_utf8(o.output));
  EXPECT_NE(o.output.find("Khóa API không hợp lệ."), std::string::npos) << o.output;
}

TEST_F(Chaos, InterimAnswersAreSkippedAndTheRealOneCounted) {
  const auto o = hit("/interim");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.summary["error_count"], 0) << o.output;
  EXPECT_EQ(o.summary["status"].value("200", 0), o.summary["requests"]);
}

TEST_F(Chaos, StatusesOutsideHttpAndBrokenAnswersAreProtocolErrors) {
  for (const std::string path : {"/status-000", "/status-700", "/switching", "/garbage"}) {
    const auto o = hit(path);
    EXPECT_EQ(o.exit_code, 3) << path << "\n" << o.output;
    expect_all_failed_as(o, "protocol");
  }
}

TEST_F(Chaos, ClosedAndResetConnectionsAreResets) {
  for (const std::string path : {"/close", "/reset"}) {
    const auto o = hit(path);
    EXPECT_EQ(o.exit_code, 3) << path << "\n" << o.output;
    expect_all_failed_as(o, "reset");
  }
}

TEST_F(Chaos, GarbageAfterAGoodAnswerNeverPassesForTheNextAnswer) {
  const auto o = hit("/after-garbage");
  const std::int64_t requests = o.summary["requests"], ok = o.summary["status"].value("200", 0);
  EXPECT_GT(ok, 0) << o.output;
  EXPECT_EQ(ok + o.summary["error_count"].get<std::int64_t>(), requests) << o.output;
  EXPECT_GT(o.summary["errors"].value("protocol", 0), 0) << "the garbage is an error, not an answer: " << o.output;
}

}  // namespace
}  // namespace tollgate::test
