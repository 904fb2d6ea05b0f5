// Flows end to end against an in-process server: a data file feeds the
// prompt, the submit's id is extracted, the task is polled to its end and
// its callback arrives at Tollgate's receiver.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "harness/flow/render.h"
#include "harness/http/engine.h"
#include "tests/support/run_options.h"
#include "net/http_server.h"
#include "tests/support/test_client.h"

namespace tollgate::http {
namespace {

using nlohmann::json;

// Submit answers {data: {taskId}}, and POSTs the finished task to the
// callback_url from another thread; a task reports pending twice, then
// success.
struct TaskServer {
  std::mutex mu;
  std::map<std::string, int> polls;
  std::vector<std::string> prompts;
  std::vector<std::thread> senders;
  int next = 0;
  bool send_callbacks = true;
  net::HttpServer server{net::ServerOptions{}, [this](const net::HttpRequest& r) { return handle(r); }};

  ~TaskServer() {
    server.stop();
    for (auto& t : senders) t.join();
  }

  net::HttpResponse handle(const net::HttpRequest& r) {
    std::lock_guard lock(mu);
    if (r.method == "POST" && r.path == "/submit") {
      const json body = json::parse(r.body);
      const std::string id = "task-" + std::to_string(++next);
      prompts.push_back(body.at("prompt"));
      const std::string url = body.at("callback_url");
      if (send_callbacks)
        senders.emplace_back([url, id] {
          const auto port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
          test::TestClient client(port);
          client.request("POST", "/callback", json{{"data", {{"taskId", id}, {"state", "success"}}}}.dump(),
                         {{"Content-Type", "application/json"}});
        });
      return net::HttpResponse::json(200, {{"data", {{"taskId", id}}}});
    }
    if (r.method == "GET" && r.path.starts_with("/task/")) {
      const std::string id = r.path.substr(6);
      const int n = ++polls[id];
      return net::HttpResponse::json(200, {{"state", n < 3 ? "pending" : "success"}, {"id", id}});
    }
    return net::HttpResponse::json(404, {{"error", "no route"}});
  }
};

// The flow under test: a submit (extract, callback), then a poll of the
// task. The prompts come from a CSV file, read when the plan loads.
scenario::Plan task_plan(std::uint16_t port, int iterations, const std::string& callback_timeout) {
  const auto file = std::filesystem::temp_directory_path() / ("tollgate-flow-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(file) << "prompt,size\n\"a fox, in snow\",1\nlighthouse,2\n";
  const std::string yaml = "version: 1\ntarget: http://127.0.0.1:" + std::to_string(port) + R"(
scenarios:
  tasks:
    executor: iterations
    iterations: )" + std::to_string(iterations) + R"(
    data: {file: )" + file.string() + R"(}
    steps:
      - name: submit
        method: POST
        path: /submit
        body: {prompt: "{{prompt}}", callback_url: "{{callback_url}}", request_id: "{{uuid}}", n: "{{iteration}}"}
        extract: {task_id: {body: /data/taskId}}
        callback: {correlate: /data/taskId, equals: "{{task_id}}", timeout: )" + callback_timeout + R"(}
      - name: wait
        method: GET
        path: /task/{{task_id}}
        poll: {until: {pointer: /state, in: [success, failed]}, interval: 5ms, timeout: 5s}
        expect: {status: 200, body: {/state: success}}
)";
  auto plan = scenario::parse_plan(yaml, "flow.yaml", {});
  std::filesystem::remove(file);
  return plan;
}

TEST(Flow, ExtractPollAndCallbackEndToEnd) {
  TaskServer ts;
  const auto port = ts.server.start();
  const auto plan = task_plan(port, 3, "5s");
  std::atomic<int> stop{0};
  const RunResult run = run_plan(plan, test::threads(1), stop);
  const auto& submit = run.scenarios.at(0).steps.at(0).metrics;
  const auto& wait = run.scenarios.at(0).steps.at(1).metrics;
  for (const auto& c : submit.checks) EXPECT_EQ(c.failed, 0) << c.name << ": " << (c.samples.empty() ? "" : c.samples[0].first);
  for (const auto& c : wait.checks) EXPECT_EQ(c.failed, 0) << c.name << ": " << (c.samples.empty() ? "" : c.samples[0].first);
  ASSERT_TRUE(submit.flow);
  EXPECT_EQ(submit.flow->callbacks, 3);
  EXPECT_EQ(submit.flow->callbacks_missed, 0);
  EXPECT_EQ(submit.flow->callback_us.total_count(), 3);
  ASSERT_TRUE(wait.flow);
  EXPECT_EQ(wait.flow->polls, 3);
  EXPECT_EQ(wait.flow->poll_requests, 9);  // pending, pending, success per task
  EXPECT_EQ(wait.requests, 9);
  EXPECT_EQ(wait.status[200], 9);
  // Rows in order, quoted commas kept, then round again.
  std::lock_guard lock(ts.mu);
  EXPECT_EQ(ts.prompts, (std::vector<std::string>{"a fox, in snow", "lighthouse", "a fox, in snow"}));
  EXPECT_EQ(ts.polls.size(), 3u);
}

TEST(Flow, AMissingCallbackTimesOutAndIsCounted) {
  TaskServer ts;
  ts.send_callbacks = false;
  const auto port = ts.server.start();
  const auto plan = task_plan(port, 1, "50ms");
  std::atomic<int> stop{0};
  const RunResult run = run_plan(plan, test::threads(1), stop);
  const auto& submit = run.scenarios.at(0).steps.at(0).metrics;
  ASSERT_TRUE(submit.flow);
  EXPECT_EQ(submit.flow->callbacks_missed, 1);
  const auto& cb = submit.checks.back();
  EXPECT_EQ(cb.name, "callback /data/taskId");
  ASSERT_EQ(cb.failed, 1);
  EXPECT_EQ(cb.samples[0].first, "no callback with /data/taskId == \"task-1\" within 50ms");
}

TEST(Flow, UnknownVariablesAndBadDataFilesAreRejectedWithTheirPlace) {
  const std::string yaml = R"(version: 1
target: http://127.0.0.1:1
scenarios:
  s:
    executor: iterations
    iterations: 1
    steps:
      - {method: GET, path: "/task/{{task_id}}"}
)";
  try {
    scenario::parse_plan(yaml, "bad.yaml", {});
    FAIL() << "accepted an unknown variable";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:8:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unknown variable {{task_id}}"), std::string::npos) << e.what();
  }
  const auto file = std::filesystem::temp_directory_path() / ("tollgate-bad-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(file) << "prompt,size\nonly-one-field\n";
  try {
    scenario::parse_plan("version: 1\ntarget: http://127.0.0.1:1\nscenarios:\n  s:\n    executor: iterations\n"
                         "    iterations: 1\n    data: {file: " + file.string() + "}\n    steps:\n      - {path: /}\n",
                         "d.yaml", {});
    FAIL() << "accepted a short row";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ":2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("row has 1 fields, the header 2"), std::string::npos) << e.what();
  }
  std::filesystem::remove(file);
}


TEST(Flow, JsonLinesRowsKeepTheirTypes) {
  const auto file = std::filesystem::temp_directory_path() / ("tollgate-rows-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(file) << "{\"prompt\": \"hi\", \"n\": 2}\n\n{\"prompt\": \"yo\", \"n\": 5}\n";
  const auto plan = scenario::parse_plan("version: 1\ntarget: http://127.0.0.1:1\nscenarios:\n  s:\n    executor: iterations\n"
                                         "    iterations: 1\n    data: {file: " + file.string() + ", order: random}\n"
                                         "    steps:\n      - {method: POST, path: /x, body: {n: \"{{n}}\", p: \"say {{prompt}}\"}}\n",
                                         "d.yaml", {});
  std::filesystem::remove(file);
  const auto& data = *plan.scenarios.at(0).data;
  EXPECT_TRUE(data.random);
  EXPECT_EQ(data.columns, (std::vector<std::string>{"n", "prompt"}));
  ASSERT_EQ(data.rows.size(), 2u);
  EXPECT_EQ(data.rows[1][0], 5);
  const auto& step = plan.scenarios.at(0).steps.at(0);
  EXPECT_TRUE(step.templated);
  const flow::Lookup lookup = [&](const std::string& name) -> std::optional<json> {
    for (std::size_t c = 0; c < data.columns.size(); ++c)
      if (data.columns[c] == name) return data.rows[1][c];
    return std::nullopt;
  };
  EXPECT_EQ(flow::render_body(step, lookup), (json{{"n", 5}, {"p", "say yo"}}));
}


// A stop while an iteration waits for a callback ends the wait at once and
// does not count the callback as missed.
TEST(Flow, AStopEndsACallbackWait) {
  TaskServer ts;
  ts.send_callbacks = false;
  const auto port = ts.server.start();
  const auto plan = task_plan(port, 1, "10m");
  std::atomic<int> stop{0};
  auto done = std::async(std::launch::async, [&] { return run_plan(plan, test::threads(1), stop); });
  // Stop once the submit has been answered (the wait has begun or is about to).
  while (true) {
    {
      std::lock_guard lock(ts.mu);
      if (ts.next > 0) break;
    }
    ASSERT_NE(done.wait_for(std::chrono::milliseconds(5)), std::future_status::ready);
  }
  stop = 2;
  ASSERT_EQ(done.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "the wait outlived the stop";
  const RunResult run = done.get();
  EXPECT_TRUE(run.interrupted);
  const auto& submit = run.scenarios.at(0).steps.at(0).metrics;
  EXPECT_EQ(submit.flow ? submit.flow->callbacks_missed : 0, 0);
  EXPECT_EQ(submit.checks_failed, 0);
}

}  // namespace
}  // namespace tollgate::http
