// `tollgate hit` against a target that misbehaves on purpose
// (tests/support/chaos_target.h): for each misbehaviour the run ends by
// itself, every request is counted under the expected kind, and every
// report is written and readable.
#include <filesystem>
#include <fstream>
#include <iostream>
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

// Peak RSS the harness may reach against endless input: 200 MB as the
// issue asks, for the Release binary. Under AddressSanitizer the shadow
// memory and its 256 MB quarantine of freed blocks come on top, so the
// bound there only catches unbounded growth (1.6 GB and more here).
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssLimitKb = 1024 * 1024;
#else
constexpr long kRssLimitKb = 200 * 1024;
#endif

struct Outcome {
  int exit_code = -1;
  std::string output;
  json summary;  ///< the step's figures
  long max_rss_kb = 0;
};

class Chaos : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-chaos-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One closed-model second with two users (or `load`), with `extra`
  // flags; the run must end by itself within 30 s and write all four
  // reports.
  // `exec`: the shell becomes tollgate, so the child's peak memory is its.
  Outcome hit(const std::string& path, const std::string& extra = "", const std::string& load = "--vus 2 --duration 1s") {
    Child c({"/bin/sh", "-c", "exec " + std::string(TOLLGATE_BINARY) + " hit " + target_.url(path) + " " + load +
                                  " --quiet --out " + dir_.string() + " " + extra + " 2>&1"});
    Outcome o;
    o.output = c.all_output(std::chrono::seconds(30));
    const int status = c.wait_exit(std::chrono::seconds(5));
    o.exit_code = status == -1 ? -1 : WEXITSTATUS(status);
    o.max_rss_kb = c.max_rss_kb();
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

// A body no check reads is counted, not kept: 100 connections on an
// endless body stay in bounded memory (when every connection buffered up
// to max_body, 16 MiB here, this was over 1.6 GB; 4.5-4.9 GB at 64 MiB).
TEST_F(Chaos, MemoryStaysBoundedAgainstEndlessBodiesOnManyConnections) {
  const auto o = hit("/endless", "--max-body 16MiB", "--vus 100 --connections 100 --duration 2s");
  EXPECT_EQ(o.exit_code, 3) << o.output;
  // Those the end cuts off (on a busy machine, maybe all) are aborted.
  const std::int64_t requests = o.summary["requests"];
  EXPECT_EQ(o.summary["errors"].value("protocol", 0) + o.summary["errors"].value("aborted", 0), requests) << o.output;
  EXPECT_GT(o.summary["bytes"]["in"].get<std::int64_t>(), 100LL << 20) << "the bodies were read: " << o.output;
  EXPECT_LT(o.max_rss_kb, kRssLimitKb) << "peak RSS " << o.max_rss_kb / 1024 << " MiB";
  std::cout << "peak RSS of tollgate: " << o.max_rss_kb / 1024 << " MiB, " << requests << " requests\n";
}

TEST_F(Chaos, EndlessHeadsAndEventsAreBoundedProtocolErrors) {
  for (const std::string path : {"/endless-head", "/sse-endless-event"}) {
    const auto o = hit(path, "", "--vus 20 --connections 20 --duration 1s");
    expect_all_failed_as(o, "protocol");
    EXPECT_LT(o.max_rss_kb, kRssLimitKb) << path << ": peak RSS " << o.max_rss_kb / 1024 << " MiB";
  }
  const auto head = hit("/endless-head");
  EXPECT_NE(head.output.find("head is larger than 65536 bytes"), std::string::npos) << head.output;
  const auto event = hit("/sse-endless-event", "--max-event 64KiB");
  EXPECT_NE(event.output.find("an event of the stream is larger than 65536 bytes"), std::string::npos) << event.output;
}

// A stream of small events that never ends: each event is judged as it
// comes and forgotten, and max_body ends the stream (256 KiB: some 5,500
// events; under the sanitizers an event's JSON takes ~100 us, and the run
// gives the stream 2 s).
TEST_F(Chaos, AnEndlessStreamOfSmallEventsEndsAtMaxBody) {
  const auto o = hit("/sse-endless", "--max-body 256KiB");
  expect_all_failed_as(o, "protocol");
  EXPECT_NE(o.output.find("requests failed (100.00%)"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("larger than 262144 bytes"), std::string::npos) << o.output;
}

TEST_F(Chaos, ShortBodiesAndBadChunksAreNamed) {
  const auto short_body = hit("/short-body");
  EXPECT_EQ(short_body.exit_code, 3) << short_body.output;
  expect_all_failed_as(short_body, "protocol");
  EXPECT_NE(short_body.output.find("closed in the middle of the answer"), std::string::npos) << short_body.output;
  const auto bad = hit("/bad-chunk");
  expect_all_failed_as(bad, "protocol");
  EXPECT_NE(bad.output.find("a malformed chunk size"), std::string::npos) << bad.output;
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
