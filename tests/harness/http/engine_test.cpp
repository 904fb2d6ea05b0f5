// The engine end to end against in-process servers on 127.0.0.1:0.
#include "harness/http/engine.h"
#include "tests/support/run_options.h"

#include <gtest/gtest.h>

#include <mutex>

#include "net/http_server.h"

namespace tollgate::http {
namespace {

using namespace std::chrono;

scenario::Plan plan_for(std::uint16_t port) {
  scenario::Plan plan;
  std::string error;
  plan.file = "engine_test";
  plan.target = *scenario::parse_url("http://127.0.0.1:" + std::to_string(port), error);
  return plan;
}

scenario::Step step(const std::string& path) { return scenario::literal_step("GET", path); }

RunResult run(const scenario::Plan& plan, unsigned threads = 2) {
  std::atomic<int> stop{0};
  return run_plan(plan, test::threads(threads), stop);
}

TEST(Engine, OpenModelSendsTheScheduledCount) {
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest&) { return net::HttpResponse::text(200, "ok"); });
  auto plan = plan_for(server.start());
  scenario::Scenario s;
  s.name = "open";
  s.executor = scenario::Executor::kConstantArrivalRate;
  s.rate = 500;
  s.duration = seconds(2);
  s.steps.push_back(step("/a"));
  plan.scenarios.push_back(s);
  const auto result = run(plan);
  const auto& m = result.scenarios.at(0).steps.at(0).metrics;
  // Exactly the schedule's 1000 arrivals are accounted for, sent or missed
  // (how many of each depends on the machine; the exact counts on a fake
  // clock: tests/harness/exec/open_model_test.cpp).
  EXPECT_EQ(m.requests + m.missed, 1000);
  EXPECT_EQ(m.status[200], m.requests);
  EXPECT_EQ(m.error_count(), 0);
  EXPECT_EQ(m.latency_us.total_count(), m.requests);
  EXPECT_FALSE(result.interrupted);
}

TEST(Engine, IterationsExecutorRunsExactlyTheCountOverSteps) {
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest& r) {
    return net::HttpResponse::text(r.path == "/missing" ? 404 : 200, "x");
  });
  auto plan = plan_for(server.start());
  scenario::Scenario s;
  s.name = "count";
  s.executor = scenario::Executor::kIterations;
  s.iterations = 57;
  s.vus = 5;
  s.steps = {step("/one"), step("/two")};
  plan.scenarios.push_back(s);
  auto result = run(plan);
  EXPECT_EQ(result.scenarios[0].steps[0].metrics.requests, 57);
  EXPECT_EQ(result.scenarios[0].steps[1].metrics.requests, 57);
  EXPECT_EQ(result.scenarios[0].iterations, 57);

  // A status outside the expected set is an error of kind "status".
  plan.scenarios[0].steps = {step("/missing")};
  result = run(plan);
  EXPECT_EQ(result.scenarios[0].steps[0].metrics.errors[static_cast<int>(metrics::ErrorKind::kStatus)], 57);
  plan.scenarios[0].steps[0].expect.status = {404};
  result = run(plan);
  EXPECT_EQ(result.scenarios[0].steps[0].metrics.error_count(), 0);
}

// One after the other (a probe's chains after its single cases): no
// request of the second scenario is sent before the first has ended, and
// the result reads as one run: both scenarios, every point of the time
// series holding every step.
TEST(Engine, ScenariosOneAfterAnotherDoNotOverlap) {
  std::mutex mutex;
  std::string order;
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [&](const net::HttpRequest& r) {
    std::lock_guard lock(mutex);
    order += r.path.substr(1);
    return net::HttpResponse::text(200, "ok");
  });
  auto plan = plan_for(server.start());
  auto scenario_of = [](const std::string& name, int iterations, int vus) {
    scenario::Scenario s;
    s.name = name;
    s.executor = scenario::Executor::kIterations;
    s.iterations = iterations;
    s.vus = vus;
    s.duration = seconds(30);
    s.steps.push_back(step("/" + name));
    return s;
  };
  plan.scenarios = {scenario_of("a", 40, 4), scenario_of("b", 10, 2)};
  plan.one_after_another = true;
  const auto result = run(plan);
  EXPECT_EQ(order, std::string(40, 'a') + std::string(10, 'b'));
  ASSERT_EQ(result.scenarios.size(), 2u);
  EXPECT_EQ(result.scenarios[0].steps.at(0).metrics.requests, 40);
  EXPECT_EQ(result.scenarios[1].steps.at(0).metrics.requests, 10);
  EXPECT_EQ(result.requests(), 50);
  ASSERT_FALSE(result.series.empty());
  std::int64_t a = 0, b = 0;
  double t = 0;
  for (const auto& p : result.series) {
    ASSERT_EQ(p.steps.size(), 2u);
    EXPECT_GE(p.t_s, t);
    t = p.t_s;
    a += p.steps[0].requests;
    b += p.steps[1].requests;
  }
  EXPECT_EQ(a, 40);
  EXPECT_EQ(b, 10);
  EXPECT_FALSE(result.interrupted);
}

TEST(Engine, ASlowTargetMakesLateAndMissedAndCorrectedLatency) {
  // Each answer takes 200 ms; two in flight at most; 50/s offered for 1 s.
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest&) {
    auto r = net::HttpResponse::text(200, "slow");
    r.delay = milliseconds(200);
    return r;
  });
  auto plan = plan_for(server.start());
  scenario::Scenario s;
  s.name = "held";
  s.executor = scenario::Executor::kConstantArrivalRate;
  s.rate = 50;
  s.duration = seconds(1);
  s.max_in_flight = 2;
  s.connections = 2;
  s.steps.push_back(step("/slow"));
  plan.scenarios.push_back(s);
  const auto result = run(plan, 1);
  const auto& m = result.scenarios[0].steps[0].metrics;
  // About 10 go out within the second; the rest of the 50 are missed, and
  // every arrival is one or the other (the exact split, on a fake clock:
  // tests/harness/exec/open_model_test.cpp).
  EXPECT_GT(m.missed, 0);
  EXPECT_EQ(m.requests + m.missed, 50);
  EXPECT_GT(m.late, 0);
  // Service time stays near the 200 ms the target takes; latency from the
  // intended time adds the wait for a slot.
  EXPECT_GE(m.service_time_us.value_at_percentile(50), 200'000);
  EXPECT_GT(m.latency_us.value_at_percentile(99), 2 * m.service_time_us.value_at_percentile(50));
}

TEST(Engine, StopEndsARunEarlyAndMarksItInterrupted) {
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [](const net::HttpRequest&) { return net::HttpResponse::text(200, "ok"); });
  auto plan = plan_for(server.start());
  scenario::Scenario s;
  s.name = "long";
  s.executor = scenario::Executor::kConstantVus;
  s.vus = 2;
  s.duration = minutes(10);
  s.steps.push_back(step("/"));
  plan.scenarios.push_back(s);
  std::atomic<int> stop{0};
  RunOptions options = test::threads(1);
  options.on_progress = [&](const Progress& p) {
    if (p.requests > 0) stop = 1;  // the first progress report stops the run
  };
  const auto started = steady_clock::now();
  const auto result = run_plan(plan, options, stop);
  EXPECT_TRUE(result.interrupted);
  EXPECT_LT(steady_clock::now() - started, seconds(30));
  EXPECT_GT(result.scenarios[0].steps[0].metrics.requests, 0);
}

}  // namespace
}  // namespace tollgate::http
