// Capacity at an SLO as a user runs it: a capacity search against the mock
// with a capacity model finds the knee its closed form gives; a sweep
// across the knee marks the overloaded steps as missing the SLO and the
// steps the harness could not offer as invalid; goodput on a known mix of
// good and bad requests is exact.
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/http_server.h"
#include "tests/support/child_process.h"
#include "tests/support/tollgate_cli.h"
#include "tests/support/summary_schema.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Search : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-search-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// 16 answers at once of gpt-4o-mini's realistic 250 ms + 10 x 12 ms: at
// most 16 / 0.37 s = 43.24 chats/s.
TEST_F(Search, FindsTheMocksKneeWithinFivePercentOfItsClosedForm) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1", "--latency", "realistic",
              "--capacity", "16:16"});
  const std::string url = announced_url(mock);
  const auto o = tollgate("run " + std::string(TOLLGATE_SOURCE_DIR) + "/scenarios/capacity/chat-knee-search.yaml --env TARGET=" +
                          url + "/aiproxy --quiet --out " + (dir_ / "out").string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const json summary = read_json(dir_ / "out" / "summary.json");
  EXPECT_EQ(summary_schema_errors(summary), "");
  const json& search = summary["search"];
  ASSERT_TRUE(search.is_object()) << summary.dump(2).substr(0, 2000);
  const double knee = 16 / 0.370;
  const double found = search["capacity_rps"].get<double>();
#if defined(__SANITIZE_ADDRESS__)
  // Under the sanitizers on a busy machine the harness itself may not keep
  // 40/s on time: the search then (rightly) stops at what it could offer.
  // It must never claim more than the knee.
  EXPECT_GT(found, 0) << o.output;
  EXPECT_LE(found, knee * 1.05) << o.output;
#else
  EXPECT_NEAR(found, knee, knee * 0.05) << o.output;
#endif
  EXPECT_LE(search["steps"].size(), 10u) << o.output;
  // Each step is a scenario of its own, with its own histograms. Those up
  // to the capacity were offered as asked; past the knee a slow harness (the
  // sanitizers) may fall behind, and those steps then say they are invalid.
  EXPECT_EQ(summary["scenarios"].size(), search["steps"].size());
  for (const auto& st : search["steps"]) {
    const auto& sc = summary["scenarios"][st["scenario"].get<std::size_t>()];
    EXPECT_NE(sc["name"].get<std::string>().find("chat @ "), std::string::npos);
    EXPECT_TRUE(sc["steps"][0]["histograms"].contains("ttft_us"));
    if (st["rate"].get<double>() <= found) {
      EXPECT_TRUE(st["valid"].get<bool>()) << st.dump();
    }
    if (!st["valid"].get<bool>()) {
      EXPECT_FALSE(st["passed"].get<bool>()) << st.dump();
    }
  }
  EXPECT_NE(o.output.find("capacity at the SLO: "), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("pass capacity.rps > 0"), std::string::npos) << o.output;
  // The report reads it back: the search survives `tollgate report`.
  const auto again = tollgate("report " + (dir_ / "out").string() + " -o " + (dir_ / "again").string());
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(read_json(dir_ / "again" / "summary.json")["search"], search);
}

TEST_F(Search, ASweepMarksOverloadedStepsAndUnofferableOnes) {
  // A long queue: past the knee requests wait (TTFT grows) instead of being
  // refused, so at 400/s more are in flight than the harness may hold.
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1", "--latency", "realistic",
              "--capacity", "16:1000"});
  const std::string url = announced_url(mock);
  std::ofstream(dir_ / "sweep.yaml") << "version: 1\ntarget: " << url << "/aiproxy\nspec: " << TOLLGATE_SOURCE_DIR
                                     << R"(/spec/aiproxy.yaml
defaults: {headers: {Authorization: Bearer sk-demo}}
scenarios:
  chat:
    executor: sweep
    rates: [20/s, 80/s, 400/s]
    step_duration: 2s
    max_in_flight: 100
    slo: ["ttft.p99 < 300ms"]
    steps:
      - operation: createChatCompletion
        body: {model: gpt-4o-mini, messages: [{role: user, content: Tell me a story}], max_tokens: 10, stream: true}
        expect: {status: 200}
)";
  const auto o = tollgate("run " + (dir_ / "sweep.yaml").string() + " --quiet --out " + (dir_ / "out").string() +
                          " --requests " + (dir_ / "requests.jsonl").string());
  const json summary = read_json(dir_ / "out" / "summary.json");
  EXPECT_EQ(summary_schema_errors(summary), "");
  const json& steps = summary["search"]["steps"];
  ASSERT_EQ(steps.size(), 3u) << o.output;
  // Under the sanitizers, with other tests beside it, the harness itself
  // may fall behind even at 20/s (seen: 3 of 40 sends late): such a step
  // is rightly marked invalid, so only the unoffered and missed steps are
  // asserted there.
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_TRUE(steps[0]["valid"].get<bool>());
  EXPECT_TRUE(steps[0]["passed"].get<bool>()) << steps[0].dump();
  EXPECT_TRUE(steps[1]["valid"].get<bool>()) << steps[1].dump();  // offered: the target is overloaded
  EXPECT_NE(o.output.find("1 of 3 steps met the SLO, 1 invalid"), std::string::npos) << o.output;
#endif
  EXPECT_FALSE(steps[1]["passed"].get<bool>()) << steps[1].dump();
  EXPECT_FALSE(steps[2]["valid"].get<bool>()) << steps[2].dump();  // not offered: 100 in flight at most
  EXPECT_NE(o.output.find("INVALID"), std::string::npos) << o.output;
  // --requests: each step a run of its own in the file, its lines named by the step.
  std::ifstream in(dir_ / "requests.jsonl");
  std::map<std::string, std::int64_t> per_step;
  int heads = 0;
  for (std::string line; std::getline(in, line);) {
    const json r = json::parse(line);
    if (r.contains("format")) ++heads;
    else ++per_step[r["series_step"].get<std::string>()];
  }
  EXPECT_EQ(heads, 3);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto& sc = summary["scenarios"][k];
    const std::string label = sc["name"].get<std::string>().substr(std::string("chat @ ").size());
    EXPECT_EQ(per_step[label], sc["requests"].get<std::int64_t>()) << label;
  }
}

// A server whose answers are a known mix: every 4th slow, every 5th an error.
TEST_F(Search, GoodputOnAKnownMixIsExact) {
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest& r) {
    const int i = std::stoi(r.query_param("i").value_or("0"));
    if (i % 5 == 0) return net::HttpResponse::json(500, {{"error", "no"}});
    net::HttpResponse ok = net::HttpResponse::json(200, {{"i", i}});
    if (i % 4 == 0) ok.delay = std::chrono::milliseconds(150);
    return ok;
  });
  const auto port = server.start();
  std::ofstream(dir_ / "good.yaml") << "version: 1\ntarget: http://127.0.0.1:" << port << R"(
scenarios:
  mix:
    executor: iterations
    iterations: 40
    vus: 4
    goodput: {e2e: 100ms}
    steps:
      - {method: GET, path: "/g", query: {i: "{{iteration}}"}, expect: {status: [200, 500]}}
thresholds:
  - "goodput.count == 24"
  - "goodput.rate == 60%"
)";
  const auto o = tollgate("run " + (dir_ / "good.yaml").string() + " --quiet --out " + (dir_ / "out").string());
  server.stop();
  server.wait();
  // 40 requests: 8 errors (i % 5 == 0), 10 slow (i % 4 == 0), 2 both: 24 good.
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const json summary = read_json(dir_ / "out" / "summary.json");
  EXPECT_EQ(summary_schema_errors(summary), "");
  const json& g = summary["scenarios"][0]["steps"][0]["goodput"];
  EXPECT_EQ(g["judged"], 40);
  EXPECT_EQ(g["good"], 24);
  EXPECT_EQ(g["rate"], 0.6);
}

}  // namespace
}  // namespace tollgate::test
