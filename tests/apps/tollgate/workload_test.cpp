// LLM workloads as a user runs them: a conversations file (OpenAI messages
// and ShareGPT lines) sent turn by turn, each turn's messages the previous
// turn's plus the target's own answer and the next user message, measured
// per turn; synthetic prompts whose token count the mock confirms; a bad
// conversations line named by file and line.
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/http_server.h"
#include "tests/support/child_process.h"
#include "tests/support/tollgate_cli.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class WorkloadRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-workload-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

const char* const kConversations =
    R"({"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "first one"}, {"role": "assistant", "content": "not sent"}, {"role": "user", "content": "second one"}, {"role": "assistant", "content": "x"}, {"role": "user", "content": "third one"}]})"
    "\n"
    R"({"conversations": [{"from": "human", "value": "hello two"}, {"from": "gpt", "value": "not sent either"}, {"from": "human", "value": "again two"}]})"
    "\n";

// Every turn's request, and the answer the server gave it.
struct Exchange {
  json messages;
  std::string answer;
};

TEST_F(WorkloadRun, ConversationsAreSentTurnByTurnEachExtendingTheLast) {
  std::mutex mutex;
  std::vector<Exchange> seen;
  net::ServerOptions so;
  so.threads = 1;
  net::HttpServer server(so, [&](const net::HttpRequest& r) {
    const json body = json::parse(r.body);
    std::lock_guard lock(mutex);
    const std::string answer = "answer " + std::to_string(seen.size());
    seen.push_back({body["messages"], answer});
    if (!body.value("stream", false)) {
      json choice = {{"index", 0}, {"finish_reason", "stop"}};
      choice["message"] = {{"role", "assistant"}, {"content", answer}};
      json answered = json::object();
      answered["choices"] = json::array({choice});
      return net::HttpResponse::json(200, answered);
    }
    auto event = [](const json& delta, const json& finish) {
      json choice = {{"index", 0}, {"delta", delta}, {"finish_reason", finish}};
      json chunk = json::object();
      chunk["choices"] = json::array({choice});
      return "data: " + chunk.dump() + "\n\n";
    };
    net::HttpResponse events;
    events.content_type = "text/event-stream";
    events.body += event({{"content", answer.substr(0, 3)}}, nullptr);
    events.body += event({{"content", answer.substr(3)}}, nullptr);
    events.body += event(json::object(), "stop");
    events.body += "data: [DONE]\n\n";
    return events;
  });
  const auto port = server.start();
  std::ofstream(dir_ / "chats.jsonl") << kConversations;
  for (const bool stream : {true, false}) {
    seen.clear();
    std::ofstream(dir_ / "s.yaml") << "version: 1\ntarget: http://127.0.0.1:" << port << R"(
scenarios:
  talk:
    executor: iterations
    iterations: 4
    vus: 1
    workload:
      conversations: {file: chats.jsonl}
      think_time: 5ms
      max_tokens: {dist: uniform, min: 16, max: 32}
    steps:
      - name: chat
        method: POST
        path: /v1/chat/completions
        body: {model: m, messages: "{{messages}}", max_tokens: "{{max_tokens}}", stream: )"
                                  << (stream ? "true" : "false") << R"(}
        expect: {status: 200}
)";
    const auto o = tollgate("run " + (dir_ / "s.yaml").string() + " --quiet --out " + (dir_ / "out").string());
    ASSERT_EQ(o.exit_code, 0) << o.output;
    // Four conversations (the file twice over): 3 + 2 + 3 + 2 turns, one
    // VU, so the requests arrive conversation by conversation.
    ASSERT_EQ(seen.size(), 10u) << o.output;
    std::size_t at = 0;
    for (const std::size_t turns : {3u, 2u, 3u, 2u}) {
      for (std::size_t t = 0; t < turns; ++t) {
        const json& m = seen[at + t].messages;
        const std::size_t prefix = turns == 3 ? 1 : 0;  // the system message
        ASSERT_EQ(m.size(), prefix + 2 * t + 1) << m.dump();
        EXPECT_EQ(m.back()["role"], "user");
        if (t == 0) continue;
        const json& before = seen[at + t - 1].messages;
        for (std::size_t k = 0; k < before.size(); ++k) EXPECT_EQ(m[k], before[k]) << "a strict extension: " << m.dump();
        EXPECT_EQ(m[before.size()], (json{{"role", "assistant"}, {"content", seen[at + t - 1].answer}}))
            << "the target's own answer, not the dataset's: " << m.dump();
      }
      at += turns;
    }
    EXPECT_EQ(seen[0].messages[1]["content"], "first one");
    EXPECT_EQ(seen[3].messages[0], (json{{"role", "user"}, {"content", "hello two"}})) << "ShareGPT's human is a user";
    // Measured per turn.
    const json summary = read_json(dir_ / "out" / "summary.json");
    const json& steps = summary["scenarios"][0]["steps"];
    ASSERT_EQ(steps.size(), 3u);
    const std::map<std::string, int> expected = {{"chat turn 1", 4}, {"chat turn 2", 4}, {"chat turn 3", 2}};
    for (const auto& st : steps) EXPECT_EQ(st["requests"], expected.at(st["name"].get<std::string>())) << st["name"];
  }
  server.stop();
  server.wait();
}

TEST_F(WorkloadRun, SyntheticPromptsHaveTheirTokenCountAtTheMock) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1"});
  const std::string url = announced_url(mock);
  // 50 words are 50 tokens under the mock's rule: a one-message chat
  // counts 50 + 6 (3 per request, 3 per message).
  std::ofstream(dir_ / "s.yaml") << "version: 1\ntarget: " << url << R"(/aiproxy
defaults: {headers: {Authorization: Bearer sk-demo}}
scenarios:
  synthetic:
    executor: iterations
    iterations: 20
    vus: 2
    workload:
      prompt_tokens: 50
      max_tokens: {dist: uniform, min: 3, max: 6}
    steps:
      - name: chat
        method: POST
        path: /v1/chat/completions
        body: {model: gpt-4o-mini, messages: [{role: user, content: "{{prompt}}"}], max_tokens: "{{max_tokens}}"}
        expect:
          status: 200
          body:
            /usage/prompt_tokens: 56
            /usage/completion_tokens: {one_of: [3, 4, 5, 6]}
)";
  const auto o = tollgate("run " + (dir_ / "s.yaml").string() + " --quiet");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("checks: 60 passed, 0 failed"), std::string::npos) << o.output;
}

TEST_F(WorkloadRun, ABadConversationIsNamedByFileAndLine) {
  std::ofstream(dir_ / "chats.jsonl") << kConversations << R"({"messages": [{"role": "assistant", "content": "no user"}]})"
                                      << "\n";
  std::ofstream(dir_ / "s.yaml") << R"(version: 1
target: http://127.0.0.1:9
scenarios:
  talk:
    executor: iterations
    iterations: 1
    workload: {conversations: {file: chats.jsonl}}
    steps:
      - {name: chat, method: POST, path: /v1/chat/completions, body: {messages: "{{messages}}"}}
)";
  auto o = tollgate("validate " + (dir_ / "s.yaml").string());
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("chats.jsonl:3:1: the conversation has no user message"), std::string::npos) << o.output;
  // A scenario with conversations has one step (sent once a turn).
  std::ofstream(dir_ / "chats.jsonl") << kConversations;
  std::ofstream(dir_ / "two.yaml") << R"(version: 1
target: http://127.0.0.1:9
scenarios:
  talk:
    executor: iterations
    iterations: 1
    workload: {conversations: {file: chats.jsonl}, turns: 2}
    steps:
      - {name: a, method: POST, path: /v1/chat/completions, body: {messages: "{{messages}}"}}
      - {name: b, method: GET, path: /v1/models}
)";
  o = tollgate("validate " + (dir_ / "two.yaml").string());
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("a scenario with conversations has one step"), std::string::npos) << o.output;
  // A length that is not one.
  std::ofstream(dir_ / "len.yaml") << R"(version: 1
target: http://127.0.0.1:9
scenarios:
  talk:
    executor: iterations
    iterations: 1
    workload: {max_tokens: {dist: normal, mean: 100}}
    steps:
      - {name: a, method: POST, path: /v1/chat/completions, body: {max_tokens: "{{max_tokens}}"}}
)";
  o = tollgate("validate " + (dir_ / "len.yaml").string());
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("dist: normal needs 'stddev'"), std::string::npos) << o.output;
}

}  // namespace
}  // namespace tollgate::test
