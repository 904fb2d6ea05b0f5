// The tollgate binary as a user runs it: exit codes, summary.json, Ctrl-C.
#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/test_client.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Outcome run(const std::string& args, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  return run_shell(std::string(TOLLGATE_BINARY) + " " + args, timeout);
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-cli-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::vector<std::string> argv{TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1"};
    for (auto& a : mock_flags()) argv.push_back(std::move(a));
    mock_ = std::make_unique<Child>(argv);
    const std::string first = mock_->first_line(std::chrono::seconds(10));
    target_ = first.substr(first.find("http://"));
  }
  /// More flags for the mock this fixture starts.
  virtual std::vector<std::string> mock_flags() const { return {}; }
  void TearDown() override {
    mock_.reset();
    fs::remove_all(dir_);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  json summary() {
    std::ifstream in(dir_ / "out" / "summary.json");
    return json::parse(in);
  }
  std::string scenario(const std::string& duration, const std::string& threshold) {
    return write("s.yaml", "version: 1\ntarget: ${TARGET}/aiproxy\ndefaults:\n  headers: {Authorization: \"Bearer sk-demo\"}\n"
                           "scenarios:\n  models:\n    executor: constant-arrival-rate\n    rate: 100/s\n    duration: " +
                               duration + "\n    steps:\n      - {method: GET, path: /v1/models}\nthresholds:\n  - \"" +
                               threshold + "\"\n");
  }

  fs::path dir_;
  std::unique_ptr<Child> mock_;
  std::string target_;
};

TEST_F(Cli, PassingRunExitsZeroAndWritesTheSummary) {
  const auto o = run("run " + scenario("1s", "latency.p99 < 5s") + " --quiet --env TARGET=" + target_ + " --out " +
                     (dir_ / "out").string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("result: PASS"), std::string::npos);
  const json s = summary();
  for (const char* key : {"scenario", "passed", "duration_s", "totals", "thresholds", "scenarios"}) EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["passed"], true);
  EXPECT_EQ(s["totals"]["requests"], 100);
  const json step = s["scenarios"][0]["steps"][0];
  for (const char* key : {"name", "requests", "errors", "status", "rate", "late", "latency_ms", "service_time_ms", "checks"})
    EXPECT_TRUE(step.contains(key)) << key;
  EXPECT_EQ(step["status"]["200"], 100);
  EXPECT_DOUBLE_EQ(step["rate"]["target"].get<double>(), 100.0);
  for (const char* p : {"p50", "p90", "p99", "p999", "max", "mean"}) EXPECT_TRUE(step["latency_ms"].contains(p)) << p;
  EXPECT_EQ(s["thresholds"][0]["passed"], true);
}

TEST_F(Cli, FailedThresholdExitsOne) {
  const auto o = run("run " + scenario("1s", "requests > 1000000") + " --quiet --env TARGET=" + target_);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_NE(o.output.find("FAIL requests > 1000000"), std::string::npos) << o.output;
}

TEST_F(Cli, BadScenarioExitsTwoBeforeAnyTraffic) {
  const auto file = write("bad.yaml", "version: 1\ntarget: http://127.0.0.1:1\nscenarios:\n  s:\n    executor: constant-vus\n"
                                      "    vus: 1\n    duraton: 1s\n    steps: [{path: /}]\n");
  auto o = run("validate " + file);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("bad.yaml:7:5: unknown key 'duraton'; expected one of: "), std::string::npos) << o.output;
  o = run("run " + file);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(run("run " + scenario("1s", "latency.p99 < 1ms") + " --quiet").exit_code, 2);  // ${TARGET} unset
  EXPECT_EQ(run("frobnicate").exit_code, 2);
}

TEST_F(Cli, UnreachableTargetExitsThree) {
  const auto o = run("run " + scenario("1s", "latency.p99 < 5s") + " --quiet --env TARGET=http://127.0.0.1:1");
  EXPECT_EQ(o.exit_code, 3) << o.output;
  EXPECT_NE(o.output.find("no request reached"), std::string::npos);
}

// A run serves its live metrics while it goes, and Ctrl-C still writes
// every report, marked interrupted.
TEST_F(Cli, LiveMetricsWhileRunningAndCtrlCWritesEveryReportMarkedInterrupted) {
  const auto file = write("chat.yaml", "version: 1\ntarget: ${TARGET}/aiproxy\nscenarios:\n  chat:\n    executor: constant-vus\n"
                                       "    vus: 2\n    duration: 10m\n    steps:\n      - method: POST\n        path: /v1/chat/completions\n"
                                       "        headers: {Authorization: Bearer sk-demo}\n"
                                       "        body: {model: gpt-4o-mini, messages: [{role: user, content: hi}]}\n");
  Child c({TOLLGATE_BINARY, "run", file, "--quiet", "--env", "TARGET=" + target_, "--out", (dir_ / "out").string(),
           "--metrics-listen", "127.0.0.1:0"});
  const std::string first = c.first_line(std::chrono::seconds(10));
  ASSERT_TRUE(first.starts_with("metrics: http://127.0.0.1:")) << first;
  const auto metrics_port = static_cast<std::uint16_t>(std::stoi(first.substr(first.rfind(':') + 1)));
  // Scrape (bounded) until the first second of the run is in the metrics.
  const std::regex requests(R"(tollgate_requests_total\{scenario="chat",step="POST /v1/chat/completions"\} (\d+))");
  std::string text;
  std::smatch m;
  auto counted = [&] { return std::regex_search(text, m, requests) && std::stoll(m[1]) > 0; };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  TestClient client(metrics_port);  // keep-alive: one connection for every scrape
  while (std::chrono::steady_clock::now() < deadline && !counted()) {
    const auto r = client.request("GET", "/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.headers.at("content-type").starts_with("text/plain; version=0.0.4"));
    text = r.body;
  }
  ASSERT_TRUE(counted()) << text;
  EXPECT_NE(text.find("# TYPE tollgate_latency_seconds histogram"), std::string::npos) << text;
  EXPECT_NE(text.find("tollgate_latency_seconds_count{scenario=\"chat\""), std::string::npos) << text;
  EXPECT_NE(text.find("tollgate_latency_seconds_bucket{scenario=\"chat\",step=\"POST /v1/chat/completions\",le=\"+Inf\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tollgate_checks_total{scenario=\"chat\",step=\"POST /v1/chat/completions\",result=\"passed\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tollgate_errors_total{scenario=\"chat\",step=\"POST /v1/chat/completions\",kind=\"timeout\"} 0"),
            std::string::npos)
      << text;
  kill(c.pid(), SIGINT);
  const int status = c.wait_exit(std::chrono::seconds(20));
  ASSERT_NE(status, -1) << "tollgate did not stop after SIGINT";
  EXPECT_EQ(WEXITSTATUS(status), 4);
  const json s = summary();
  EXPECT_EQ(s["interrupted"], true);
  EXPECT_EQ(s["passed"], false);
  EXPECT_GT(s["totals"]["requests"].get<int>(), 0);
  for (const char* name : {"summary.json", "junit.xml", "metrics.prom", "report.html", "latency.hlog"})
    EXPECT_TRUE(fs::exists(dir_ / "out" / name)) << name;
  for (const auto& e : fs::directory_iterator(dir_ / "out"))
    EXPECT_FALSE(e.path().string().ends_with(".tmp")) << e.path();
  std::ifstream junit(dir_ / "out" / "junit.xml");
  const std::string xml((std::istreambuf_iterator<char>(junit)), std::istreambuf_iterator<char>());
  EXPECT_NE(xml.find("type=\"interrupted\""), std::string::npos) << xml;
}

TEST_F(Cli, HitOneLiner) {
  const auto o = run("hit " + target_ + "/aiproxy/v1/models -H 'Authorization: Bearer sk-demo' --rate 50/s --duration 1s --quiet --threshold 'errors.rate == 0' --out " +
                     (dir_ / "out").string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const json s = summary();
  EXPECT_EQ(s["scenarios"][0]["steps"].size(), 1u);
  EXPECT_EQ(s["totals"]["requests"], 50);
  EXPECT_EQ(s["scenarios"][0]["steps"][0]["status"]["200"], 50);
  EXPECT_EQ(o.output.find("sk-demo"), std::string::npos) << "no secret in the output";
}


// The bundled conformance suites against the bundled mock, as CI runs
// them: every check passes (async tasks polled to their end, callbacks
// received and validated) and every operation and documented status of
// each contract is covered at run time.
// The second parameter runs the mock with --strict-params: the suites send
// no field the contracts do not list.
class Conformance : public Cli, public ::testing::WithParamInterface<std::tuple<const char*, bool>> {
 protected:
  std::vector<std::string> mock_flags() const override {
    if (std::get<1>(GetParam())) return {"--strict-params"};
    return {};
  }
};

TEST_P(Conformance, BundledSuitePassesAgainstTheMock) {
  const std::string family = std::get<0>(GetParam());
  const std::string file = std::string(TOLLGATE_SOURCE_DIR) + "/scenarios/conformance/" + family + ".yaml";
  const std::string out = (dir_ / "out").string();
  auto o = run("run " + file + " -q --env TARGET=" + target_ + "/" + family + " --out " + out);
  const json j = summary();
  EXPECT_EQ(j["totals"]["checks"]["failed"], 0) << o.output;
  EXPECT_GT(j["totals"]["checks"]["passed"].get<int>(), 5) << o.output;
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(j["totals"]["unsupported"], 0);
  for (const auto& c : j["coverage"]) {
    EXPECT_EQ(c["operations"]["covered"], c["operations"]["total"]) << c.dump();
    EXPECT_EQ(c["statuses"]["covered"], c["statuses"]["total"]) << c.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Suites, Conformance,
                         ::testing::Combine(::testing::Values("aiproxy", "aimichat", "aiapigiare", "apixo"),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + (std::get<1>(info.param) ? "_strict" : "");
                         });

// The client-shapes suite: the bodies (chat and Responses API) the OpenAI SDK, LangChain, the
// Vercel AI SDK, LlamaIndex and agent loops send, all served and
// conforming, also by a mock that refuses unknown fields.
class ClientShapes : public Cli {
 protected:
  std::vector<std::string> mock_flags() const override { return {"--strict-params"}; }
};

TEST_F(ClientShapes, EveryClientsRequestIsServedAndConforms) {
  const std::string file = std::string(TOLLGATE_SOURCE_DIR) + "/scenarios/conformance/openai-clients.yaml";
  auto o = run("run " + file + " -q --env TARGET=" + target_ + "/aiproxy --out " + (dir_ / "out").string());
  const json j = summary();
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(j["totals"]["checks"]["failed"], 0) << o.output;
  EXPECT_EQ(j["totals"]["requests"], 13);
  EXPECT_EQ(j["totals"]["checks"]["passed"], 40) << o.output;
}

// A target that answers an undocumented 501 does not implement the
// operation: its checks do not run, the steps that depend on it are not
// sent, and the run fails unless --allow-unsupported (then the verdict says
// INCOMPLETE). The mock plays such a target with X-Tollgate-Fault.
TEST_F(Cli, UnsupportedOperationsAreReportedNotPassed) {
  const std::string spec = std::string(TOLLGATE_SOURCE_DIR) + "/spec/apixo.yaml";
  const auto file = write("s.yaml", "version: 1\ntarget: ${TARGET}/apixo\nspec: " + spec +
                                        "\ndefaults:\n  headers: {Authorization: \"Bearer apixo-demo\", "
                                        "X-Tollgate-Fault: status=501}\n"
                                        "scenarios:\n  polled:\n    executor: iterations\n    iterations: 1\n    steps:\n"
                                        "      - operation: generateTask\n        path_params: {model: gpt-image-1}\n"
                                        "        body: {input: {prompt: fox}}\n        expect: {status: 200, contract: true}\n"
                                        "        extract: {task_id: {body: /data/taskId}}\n"
                                        "      - operation: getTaskStatus\n        path_params: {model: gpt-image-1}\n"
                                        "        query: {taskId: \"{{task_id}}\"}\n        expect: {status: 200}\n"
                                        "thresholds:\n  - \"checks.failed == 0\"\n");
  auto o = run("run " + file + " --env TARGET=" + target_);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_NE(o.output.find("NOT SUPPORTED by the target"), std::string::npos) << o.output;
  o = run("run " + file + " --allow-unsupported --env TARGET=" + target_);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("result: PASS (INCOMPLETE)"), std::string::npos) << o.output;
}

TEST_F(Cli, CoverageWithoutRunningNamesWhatIsMissing) {
  const std::string root = TOLLGATE_SOURCE_DIR;
  auto o = run("coverage " + root + "/spec/aiproxy.yaml " + root + "/scenarios/conformance/aiproxy.yaml");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("operations 7/7, documented statuses 39/39"), std::string::npos) << o.output;
  o = run("coverage " + root + "/spec/aiproxy.yaml " + root + "/scenarios/examples/negative-cases.yaml");
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_NE(o.output.find("NOT covered: "), std::string::npos) << o.output;
}


// contract diff as CI uses it: exit 0 without a breaking change, 1 with
// one, 2 for a file that is not a contract; JSON a program can read.
TEST_F(Cli, ContractDiffExitsOneOnABreakingChange) {
  const std::string root = TOLLGATE_SOURCE_DIR;
  const std::string spec = root + "/spec/apixo.yaml";
  auto o = run("contract diff " + spec + " " + spec);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("0 breaking, 0 non-breaking changes"), std::string::npos) << o.output;

  std::ifstream in(spec);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A status the old contract documented for creating a task is gone.
  const std::string from = "        '429':";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "        '503':");
  const std::string changed = write("apixo.yaml", text);
  o = run("contract diff " + spec + " " + changed);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_NE(o.output.find("BREAKING"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("response 429: status removed"), std::string::npos) << o.output;
  o = run("contract diff --format json " + spec + " " + changed + " 2>/dev/null");
  EXPECT_EQ(o.exit_code, 1);
  const json j = json::parse(o.output);
  EXPECT_EQ(j["breaking"], 1);
  EXPECT_EQ(j["non_breaking"], 1);  // the 503 that replaced it
  EXPECT_EQ(j["changes"][0]["class"], "breaking");
  EXPECT_EQ(j["changes"][0]["where"], "response 429");
  o = run("contract diff --format markdown " + spec + " " + changed);
  EXPECT_NE(o.output.find("| **breaking** |"), std::string::npos) << o.output;

  o = run("contract diff " + spec + " " + write("broken.yaml", "openapi: 3.0.3\npaths: [\n"));
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("broken.yaml"), std::string::npos) << o.output;
}


// 12,000/min offered for 60 s against a key limited to 10,000/min: the
// mock admits 10,000 (+-1%) and refuses the rest in the documented shape.
// One minute of wall time by design; bounded by the scenario's duration.
TEST_F(Cli, CapacityLimitScenarioHoldsAgainstTheMock) {
  const std::string file = std::string(TOLLGATE_SOURCE_DIR) + "/scenarios/capacity/limit-10000-per-min.yaml";
  const auto o = run("run " + file + " -q --env TARGET=" + target_ + "/aiproxy --out " + (dir_ / "out").string(),
                     std::chrono::seconds(120));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  const json j = summary();
  const auto& status = j["scenarios"][0]["steps"][0]["status"];
  EXPECT_GE(status["200"].get<int>(), 9900) << status.dump();
  EXPECT_LE(status["200"].get<int>(), 10000) << status.dump();  // never more than the limit
  EXPECT_EQ(status["200"].get<int>() + status["429"].get<int>(), 12000) << status.dump();
}

// 1,500 Apixo tasks of ~30 s offered in 10 s on one key: the mock admits
// exactly 1,000 and refuses 500 (the bundled capacity scenario, as a user
// runs it against `tollgate-mock --latency realistic`).
TEST(CapacityScenarios, ApixoConcurrentTaskLimitHoldsAgainstTheMock) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1", "--latency", "realistic"});
  const std::string first = mock.first_line(std::chrono::seconds(10));
  const std::string target = first.substr(first.find("http://"));
  const auto o = run("run " + std::string(TOLLGATE_SOURCE_DIR) + "/scenarios/capacity/apixo-concurrent-tasks.yaml -q --env TARGET=" +
                         target + "/apixo",
                     std::chrono::seconds(60));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("pass status.200 == 1000"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("pass status.429 == 500"), std::string::npos) << o.output;
}

// `tollgate coverage` over the bundled suites: every operation and every
// documented status of the five contracts.
TEST(Coverage, BundledSuitesCoverEveryContract) {
  const std::string root = TOLLGATE_SOURCE_DIR;
  const std::pair<const char*, const char*> pairs[] = {{"aiproxy.yaml", "aiproxy"},
                                                        {"aimichat.yaml", "aimichat"},
                                                        {"aiapigiare-system.yaml", "aiapigiare"},
                                                        {"aiapigiare-media.yaml", "aiapigiare"},
                                                        {"apixo.yaml", "apixo"}};
  for (const auto& [spec, suite] : pairs) {
    const auto o = run("coverage " + root + "/spec/" + spec + " " + root + "/scenarios/conformance/" + suite + ".yaml");
    EXPECT_EQ(o.exit_code, 0) << o.output;
    EXPECT_EQ(o.output.find("NOT covered"), std::string::npos) << o.output;
  }
}

}  // namespace
}  // namespace tollgate::test
