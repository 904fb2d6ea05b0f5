#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "harness/check/thresholds.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/units.h"
#include "tests/support/paths.h"

namespace tollgate::scenario {
namespace {

using namespace std::chrono;

const Env kEnv = {{"TARGET", "http://127.0.0.1:9"}};

std::string error_of(const std::string& text, const Env& env = kEnv) {
  try {
    parse_plan(text, "s.yaml", env, test::spec_dir().string());
  } catch (const SourceError& e) {
    return e.what();
  }
  return "no error";
}

constexpr const char* kGood = R"(version: 1
target: ${TARGET}/aiproxy
spec: aiproxy.yaml
defaults:
  headers: {Authorization: "Bearer ${API_KEY:-sk-demo}"}
  timeouts: {connect: 2s, total: 30s}
scenarios:
  open:
    executor: ramping-arrival-rate
    start_rate: 10/s
    stages:
      - {duration: 10s, target: 10000/min}
      - {duration: 5s, target: 200}
    arrivals: poisson
    max_in_flight: 50
    steps:
      - operation: createChatCompletion
        body: {model: gpt-4-turbo, messages: [{role: user, content: hi}]}
        expect: {status: [200, 429]}
  closed:
    executor: constant-vus
    vus: 3
    duration: 2m
    think_time: 100ms
    steps:
      - {method: GET, path: "/v1/models", query: {type: chat}, name: models}
thresholds:
  - "latency.p99 < 500ms"
  - "open: errors.rate < 0.1%"
  - "closed.models: rate.achieved > 99%"
)";

TEST(ScenarioLoader, EveryBundledScenarioIsValid) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(test::spec_dir().parent_path() / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_plan(entry.path().string(), {}));
    ++files;
  }
  EXPECT_GE(files, 3u);
}

TEST(Units, DurationsAndRates) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("30s"), seconds(30));
  EXPECT_EQ(parse_duration("2m"), minutes(2));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("250us"), microseconds(250));
  EXPECT_FALSE(parse_duration("30"));
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_DOUBLE_EQ(*parse_rate("10000/min"), 10000.0 / 60);
  EXPECT_DOUBLE_EQ(*parse_rate("200/s"), 200);
  EXPECT_DOUBLE_EQ(*parse_rate("200"), 200);
  EXPECT_FALSE(parse_rate("200/day"));
  EXPECT_DOUBLE_EQ(*parse_fraction("99.9%"), 0.999);
}

TEST(ScenarioLoader, AGoodFile) {
  const Plan plan = parse_plan(kGood, "s.yaml", kEnv, test::spec_dir().string());
  EXPECT_EQ(plan.target.to_string(), "http://127.0.0.1:9/aiproxy");
  EXPECT_EQ(plan.headers.at(0).second, "Bearer sk-demo");
  EXPECT_EQ(plan.timeouts.connect, seconds(2));
  ASSERT_EQ(plan.scenarios.size(), 2u);
  const Scenario& closed = plan.scenarios[1];  // in the file's order
  EXPECT_EQ(closed.executor, Executor::kConstantVus);
  EXPECT_EQ(closed.steps[0].query.at(0), (std::pair<std::string, std::string>{"type", "chat"}));
  const Scenario& open = plan.scenarios[0];
  EXPECT_EQ(open.name, "open");
  EXPECT_TRUE(open.poisson);
  EXPECT_EQ(open.steps[0].method, "POST");
  EXPECT_EQ(open.steps[0].path, "/v1/chat/completions");
  EXPECT_EQ(open.steps[0].expect.status, (std::vector<int>{200, 429}));
  const auto stages = open.rate_stages();
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_DOUBLE_EQ(stages[0].from_rps, 10);
  EXPECT_NEAR(stages[0].to_rps, 166.667, 0.001);
  EXPECT_EQ(open.planned_duration(), seconds(15));
  ASSERT_EQ(plan.thresholds.size(), 3u);
  EXPECT_EQ(plan.thresholds[2].scope, "closed.models");
  EXPECT_DOUBLE_EQ(plan.thresholds[0].value, 500);
  EXPECT_DOUBLE_EQ(plan.thresholds[1].value, 0.001);
}

struct Mistake {
  std::string from, to;  // a change to the good file
  int line, column;
  std::string says;
};

TEST(ScenarioLoader, EachMistakeNamesItsLineAndColumn) {
  const std::vector<Mistake> mistakes = {
      {"    vus: 3", "    vu: 3", 22, 5, "unknown key 'vu'; expected one of: "},
      {"duration: 2m", "duration: 2", 23, 15, "'2' is not a duration"},
      {"start_rate: 10/s", "start_rate: 10/day", 10, 17, "'10/day' is not a rate"},
      {"executor: constant-vus", "executor: constant-users", 21, 15, "is not one of"},
      {"operation: createChatCompletion", "operation: chat", 17, 20, "no operation 'chat'"},
      {"\"latency.p99 < 500ms\"", "\"latency.p99 < fast\"", 28, 5, "is not a duration"},
      {"\"open: errors.rate < 0.1%\"", "\"nobody: errors.rate < 0.1%\"", 29, 5, "no scenario 'nobody'"},
      {"{method: GET, path: \"/v1/models\"", "{method: FETCH, path: \"/v1/models\"", 26, 18, "\"FETCH\" is not one of"},
      {"target: ${TARGET}/aiproxy", "target: ${TARGETX}/aiproxy", 2, 9, "environment variable TARGETX is not set"},
      {"    duration: 2m\n", "", 21, 5, "constant-vus needs 'duration'"},
      {"expect: {status: [200, 429]}", "expect: {status: 200, body: {/id: {matches: '(unclosed'}}}", 19, 53,
       "'(unclosed' is not a regular expression"},
      {"expect: {status: [200, 429]}", "expect: {body: {/id: {similar: x}}}", 19, 30,
       "a body check is a value to equal, or one of: equals, matches, type, length, one_of, exists"},
      {"expect: {status: [200, 429]}", "expect: {body: {/id: {type: text}}}", 19, 37, "type is one of string"},
      {"expect: {status: [200, 429]}", "expect: {body: {/id: {length: {least: 1}}}}", 19, 39, "length is a count"},
      {"expect: {status: [200, 429]}", "expect: {contrat: true}", 19, 18, "unknown key 'contrat'; expected one of: "},
      {"{method: GET, path: \"/v1/models\"", "{method: GET, path: \"/v1/{{model}}\"", 26, 29,
       "unknown variable {{model}}"},
      {"{method: GET, path: \"/v1/models\"", "{method: GET, path: \"/v1/models\", poll: {until: {pointer: x, in: [a]}}",
       26, 67, "'x' is not a JSON Pointer"},
      {"\"latency.p99 < 500ms\"", "\"ttft.p42 < 500ms\"", 28, 5, "unknown metric 'ttft.p42'"},
  };
  for (const auto& m : mistakes) {
    std::string text = kGood;
    const auto at = text.find(m.from);
    ASSERT_NE(at, std::string::npos) << m.from;
    text.replace(at, m.from.size(), m.to);
    const std::string err = error_of(text);
    EXPECT_NE(err.find("s.yaml:" + std::to_string(m.line) + ":" + std::to_string(m.column) + ": "), std::string::npos)
        << m.to << " -> " << err;
    EXPECT_NE(err.find(m.says), std::string::npos) << m.to << " -> " << err;
  }
}

// capacity-search and sweep: what each needs, what does not apply, and
// that such a scenario runs alone.
TEST(ScenarioLoader, SearchAndSweepFieldsAreChecked) {
  const std::string head = "version: 1\ntarget: ${TARGET}/aiproxy\nspec: aiproxy.yaml\nscenarios:\n  chat:\n";
  const std::string steps = "    steps: [{operation: listModels}]\n";
  const std::string search = "    executor: capacity-search\n    start_rate: 10/s\n    max_rate: 100/s\n"
                             "    step_duration: 2s\n    slo: [\"ttft.p99 < 1s\"]\n";
  const Plan plan = parse_plan(head + search + "    precision: 2%\n    arrivals: gamma\n    burstiness: 2\n" + steps,
                               "s.yaml", kEnv, test::spec_dir().string());
  ASSERT_TRUE(plan.scenarios[0].series);
  EXPECT_EQ(plan.scenarios[0].series->precision, 0.02);
  EXPECT_EQ(plan.scenarios[0].series->slo.size(), 1u);
  EXPECT_EQ(plan.scenarios[0].burstiness, 2);
  EXPECT_EQ(plan.scenarios[0].executor, Executor::kConstantArrivalRate);
  const Plan sweep = parse_plan(head + "    executor: sweep\n    concurrencies: [1, 4]\n    step_duration: 1s\n" + steps,
                                "s.yaml", kEnv, test::spec_dir().string());
  EXPECT_EQ(sweep.scenarios[0].executor, Executor::kConstantVus);
  EXPECT_EQ(sweep.scenarios[0].series->concurrencies, (std::vector<int>{1, 4}));
  struct Wrong {
    std::string text, says;
  };
  const std::vector<Wrong> wrongs = {
      {head + "    executor: capacity-search\n    start_rate: 10/s\n    max_rate: 100/s\n    step_duration: 2s\n" + steps,
       "capacity-search needs 'slo'"},
      {head + search + "    duration: 10s\n" + steps, "'duration' does not apply to capacity-search"},
      {head + "    executor: sweep\n    rates: [1/s]\n    concurrencies: [2]\n    step_duration: 1s\n" + steps,
       "sweep needs either 'rates'"},
      {head + "    executor: constant-vus\n    vus: 1\n    duration: 1s\n    slo: [\"errors.rate < 1%\"]\n" + steps,
       "'slo' does not apply to constant-vus"},
      {head + search + "    precision: 200%\n" + steps, "is not a share like 2% or 0.02"},
      {head + search + steps + "  other:\n    executor: constant-vus\n    vus: 1\n    duration: 1s\n" + steps,
       "runs alone"},
      {head + search + steps + "thresholds: [\"chat: errors.rate < 1%\"]\n", "judge each step with the scenario's slo"},
      {head + search + "    arrivals: gamma\n" + steps, "arrivals: gamma needs 'burstiness'"},
  };
  for (const auto& w : wrongs) EXPECT_NE(error_of(w.text).find(w.says), std::string::npos) << w.says << " -> " << error_of(w.text);
}

TEST(ScenarioLoader, BrokenYamlAndMissingFile) {
  EXPECT_NE(error_of("version: 1\ntarget: [\n").find("s.yaml:3:"), std::string::npos);
  try {
    load_plan("/nonexistent/scenario.yaml", kEnv);
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read file"), std::string::npos);
  }
}

// Found by fuzz/scenario_load: a request body is the user's JSON, sent as
// written; `stream: "yes"` aborted the loader (exit 134).
TEST(ScenarioLoader, ARequestBodyOfAnyShapeLoads) {
  const std::string text =
      "version: 1\ntarget: http://127.0.0.1:9\nscenarios:\n  s:\n    executor: iterations\n    iterations: 1\n"
      "    steps:\n      - {method: POST, path: /x, body: {stream: \"yes\", stream_options: {include_usage: 1}}}\n"
      "      - {method: POST, path: /y, body: {stream: true, stream_options: {include_usage: true}}}\n";
  const Plan plan = parse_plan(text, "s.yaml", kEnv, test::spec_dir().string());
  EXPECT_FALSE(plan.scenarios[0].steps[0].asks_stream) << "only true asks for a stream";
  EXPECT_TRUE(plan.scenarios[0].steps[1].asks_stream);
  EXPECT_TRUE(plan.scenarios[0].steps[1].asks_usage);
  // Bytes that are not UTF-8 in a body: a located refusal (it aborted).
  const std::string latin1 = "version: 1\ntarget: http://127.0.0.1:9\nscenarios:\n  s:\n    executor: iterations\n"
                             "    iterations: 1\n    steps:\n      - {method: POST, path: /x, body: {q: \"caf\xE9\"}}\n";
  EXPECT_NE(error_of(latin1).find("s.yaml:8:"), std::string::npos) << error_of(latin1);
  EXPECT_NE(error_of(latin1).find("not UTF-8"), std::string::npos) << error_of(latin1);
}

TEST(Thresholds, ParseAndEvaluate) {
  EXPECT_THROW(parse_threshold("latency.p77 < 5ms", {}), SourceError);
  EXPECT_THROW(parse_threshold("errors.rate < lots", {}), SourceError);
  metrics::RunResult run;
  metrics::ScenarioResult s;
  s.name = "a";
  s.target_rps = 100;
  s.duration_s = 10;
  metrics::StepResult st;
  st.name = "x";
  for (int i = 0; i < 990; ++i) st.metrics.latency_us.record(1000 + i);
  st.metrics.requests = 990;
  st.metrics.errors[static_cast<int>(metrics::ErrorKind::kStatus)] = 10;
  s.steps.push_back(st);
  run.scenarios.push_back(s);
  const auto results = check::evaluate({parse_threshold("latency.p99 < 2ms", {}), parse_threshold("errors.rate < 1%", {}),
                                        parse_threshold("a: rate.achieved > 99%", {}), parse_threshold("requests >= 990", {})},
                                       run);
  EXPECT_TRUE(results[0].passed);
  EXPECT_FALSE(results[1].passed);  // 10/990 > 1%
  EXPECT_NEAR(results[1].actual, 10.0 / 990, 1e-9);
  EXPECT_FALSE(results[2].passed);  // 99.0% achieved
  EXPECT_NEAR(results[2].actual, 0.99, 1e-9);
  EXPECT_TRUE(results[3].passed);
}

}  // namespace
}  // namespace tollgate::scenario
