// --state: the mock's SQLite store. Changes survive a restart and kill -9;
// tasks in flight resume; bad files are refused.
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "common/source_error.h"
#include "tests/support/child_process.h"
#include "mock-server/model/scaled_clock.h"
#include "tests/support/mock_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::map<std::string, std::string> kAccess = {{"Authorization", "Bearer demo-access-key"}};
const json kChat = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", "remember me"}}}}};

class State : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tollgate-state-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = dir_ / "state.db";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<MockServer> start() {
    return std::make_unique<MockServer>(default_fixture(), mock::LatencyMode::kFast,
                                        [this](mock::MockOptions& o) { o.state_file = file_; });
  }
  fs::path dir_, file_;
};

json data(const ClientResponse& r) { return json::parse(r.body)["data"]; }

TEST_F(State, EveryChangeSurvivesARestartAndTasksResume) {
  std::string task_id;
  std::int64_t finish_ms = 0;
  json logs_before, media_before;
  {
    auto mock = start();
    ASSERT_EQ(mock->call("PUT", "/aiapigiare/AiApiGiaRe/editquota/5", {{"remain_quota", 777}}, kAccess).status, 200);
    ASSERT_EQ(mock->call("DELETE", "/aiapigiare/AiApiGiaRe/deletekey/10", nullptr, kAccess).status, 200);
    ASSERT_EQ(mock->call("POST", "/aiproxy/v1/chat/completions", kChat, {{"Authorization", "Bearer sk-demo"}}).status, 200);
    ASSERT_EQ(mock->call("POST", "/aimichat/v1/chat/completions",
                         {{"model", "aimichat-1"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}},
                         {{"Authorization", "Bearer aimichat_demo"}})
                  .status,
              200);
    const auto r = mock->call("POST", "/apixo/api/v1/generateTask/gpt-image-1",
                              {{"input", {{"prompt", "forbidden fox"}}}}, {{"Authorization", "Bearer apixo-demo"}});
    ASSERT_EQ(r.status, 200);
    task_id = data(r)["taskId"];
    finish_ms = mock->context().store().task(task_id)->finish_ms;
    for (const char* prompt : {"first", "second"})
      ASSERT_EQ(mock->call("POST", "/aiapigiare/task/submit", {{"model", "gpt-image"}, {"prompt", prompt}},
                           {{"Authorization", "Bearer sk-demo"}})
                    .status,
                202);
    media_before = data(mock->call("GET", "/aiapigiare/AiApiGiaRe/task?start_timestamp=0&end_timestamp=9999999999",
                                   nullptr, kAccess));
    ASSERT_EQ(media_before.size(), 2u);
    logs_before = data(mock->call("GET", "/aiapigiare/AiApiGiaRe/logs", nullptr, kAccess));
  }
  auto mock = start();
  const json keys = data(mock->call("GET", "/aiapigiare/AiApiGiaRe/apikeylist", nullptr, kAccess));
  bool deleted = true;
  for (const auto& k : keys) {
    if (k["id"] == 5) {
      EXPECT_EQ(k["remain_quota"], 777);
    }
    if (k["id"] == 10) deleted = false;
  }
  EXPECT_TRUE(deleted);
  EXPECT_EQ(data(mock->call("GET", "/aiapigiare/AiApiGiaRe/logs", nullptr, kAccess)), logs_before)
      << "the same logs, word for word";
  EXPECT_EQ(data(mock->call("GET", "/aiapigiare/AiApiGiaRe/task?start_timestamp=0&end_timestamp=9999999999", nullptr,
                            kAccess)),
            media_before)
      << "the same tasks, newest first";
  // AimiChat's daily credits: one used.
  const auto chat = mock->call("POST", "/aimichat/v1/chat/completions",
                               {{"model", "aimichat-1"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}},
                               {{"Authorization", "Bearer aimichat_demo"}});
  EXPECT_EQ(chat.headers.at("x-ratelimit-remaining"), "98");
  // The task in flight resumes: it ends on its plan, failed and refunded.
  const std::string status = "/apixo/api/v1/statusTask/gpt-image-1?taskId=" + task_id;
  EXPECT_NE(data(mock->call("GET", status, nullptr, {{"Authorization", "Bearer apixo-demo"}}))["state"], "failed");
  mock->clock().set_ms(finish_ms);
  const json s = data(mock->call("GET", status, nullptr, {{"Authorization", "Bearer apixo-demo"}}));
  EXPECT_EQ(s["state"], "failed");
  EXPECT_EQ(s["failCode"], "CONTENT_VIOLATION");
  EXPECT_EQ(data(mock->call("GET", "/aiapigiare/AiApiGiaRe/logs?type=6", nullptr, kAccess))["total"], 1);
  // /_mock/reset starts the file over from the fixture.
  ASSERT_EQ(mock->call("POST", "/_mock/reset").status, 200);
  mock.reset();
  mock = start();
  EXPECT_EQ(data(mock->call("GET", "/aiapigiare/AiApiGiaRe/logs", nullptr, kAccess))["total"], 0);
}

TEST_F(State, CorruptAndForeignFilesAreRefusedClearly) {
  auto refused = [&](const std::string& expected) {
    try {
      start();
      ADD_FAILURE() << "accepted";
    } catch (const SourceError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(file_.string()), std::string::npos) << e.what();
    }
  };
  std::ofstream(file_) << "this is not a database, just text that happens to be long enough to matter\n";
  refused("not a state file the mock can use");
  fs::remove(file_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE songs (title TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  refused("not a tollgate-mock state file");
  fs::remove(file_);
  start();  // a new file is created and seeded
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  refused("schema version 99");
}

// The mock is killed with SIGKILL while clients bill calls and submit
// tasks as fast as they can. After a restart on the same file every
// answered write is there and the ledger balances to the unit.
TEST_F(State, KillNineLosesNoAcknowledgedWriteAndTheLedgerBalances) {
  auto launch = [&] {
    auto child = std::make_unique<Child>(std::vector<std::string>{TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0",
                                                                  "--threads", "2", "--state", file_.string()});
    const std::string first = child->first_line(std::chrono::seconds(10));
    std::smatch m;
    EXPECT_TRUE(std::regex_search(first, m, std::regex(R"(:(\d+)$)"))) << first;
    return std::make_pair(std::move(child), static_cast<std::uint16_t>(std::stoi(m[1])));
  };
  auto [mock, port] = launch();
  constexpr int kWriters = 4;
  constexpr long kAckedBeforeKill = 600;
  std::atomic<long> chats{0};
  std::mutex mutex;
  std::condition_variable enough;
  std::vector<std::string> tasks;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      try {
        TestClient client(port);
        for (int i = 0; i < 50'000; ++i) {  // bounded; the kill ends it much sooner
          if (i % 5 == w % 5) {
            const auto r = client.request("POST", "/apixo/api/v1/generateTask/gpt-image-1",
                                          json{{"input", {{"prompt", "fox"}}}}.dump(),
                                          {{"Authorization", "Bearer apixo-demo"}});
            if (r.status == 200) {
              std::lock_guard lock(mutex);
              tasks.push_back(json::parse(r.body)["data"]["taskId"]);
            }
            continue;
          }
          const auto r = client.request("POST", "/aiproxy/v1/chat/completions", kChat.dump(),
                                        {{"Authorization", "Bearer sk-demo"}});
          if (r.status != 200) break;
          if (++chats == kAckedBeforeKill) enough.notify_all();
        }
      } catch (const std::exception&) {
        // the connection died with the mock
      }
      enough.notify_all();
    });
  {
    std::unique_lock lock(mutex);
    enough.wait(lock, [&] { return chats >= kAckedBeforeKill; });
  }
  ASSERT_EQ(kill(mock->pid(), SIGKILL), 0);
  ASSERT_NE(mock->wait_exit(std::chrono::seconds(10)), -1);
  for (auto& t : writers) t.join();
  const long acked = chats.load();

  auto [restarted, port2] = launch();
  TestClient client(port2);
  const json logs = data(client.request("GET", "/aiapigiare/AiApiGiaRe/logs?type=2&token_name=demo", "", kAccess));
  EXPECT_GE(logs["total"].get<long>(), acked) << "every answered chat completion was billed and kept";
  EXPECT_LE(logs["total"].get<long>(), acked + kWriters) << "at most the calls in flight at the kill besides";
  for (const auto& id : tasks)
    EXPECT_EQ(client.request("GET", "/apixo/api/v1/statusTask/gpt-image-1?taskId=" + id, "",
                             {{"Authorization", "Bearer apixo-demo"}})
                  .status,
              200)
        << id;
  // The ledger: each key's and the account's quota moved by exactly what
  // their logs say.
  const json keys = data(client.request("GET", "/aiapigiare/AiApiGiaRe/apikeylist", "", kAccess));
  std::int64_t logged = 0;
  const json consumed = data(client.request("GET", "/aiapigiare/AiApiGiaRe/logs?type=2", "", kAccess));
  const json refunded = data(client.request("GET", "/aiapigiare/AiApiGiaRe/logs?type=6", "", kAccess));
  for (const auto& l : consumed["items"]) logged += l["quota"].get<std::int64_t>();
  for (const auto& l : refunded["items"]) logged -= l["quota"].get<std::int64_t>();
  EXPECT_GT(logged, 0);
  std::int64_t key_used = 0;
  for (const auto& k : keys) {
    key_used += k["used_quota"].get<std::int64_t>();
    const std::int64_t total = k["remain_quota"].get<std::int64_t>() + k["used_quota"].get<std::int64_t>();
    if (k["id"] == 1) {
      EXPECT_EQ(total, 2'500'000'000);
    } else if (k["id"] == 7) {
      EXPECT_EQ(total, 500'000'000);
    }
  }
  EXPECT_EQ(key_used, logged);
  const json user = data(client.request("GET", "/aiapigiare/AiApiGiaRe/user", "", kAccess));
  EXPECT_EQ(user["used_quota"].get<std::int64_t>(), logged);
  EXPECT_EQ(user["quota"].get<std::int64_t>() + user["used_quota"].get<std::int64_t>(), 5'000'000'000);
}

}  // namespace
}  // namespace tollgate::test

namespace tollgate::test {
namespace {

// --time-scale: the realistic ~30 s Apixo task ends in a few real
// milliseconds at 1000x, and the callback reports its time on the mock's
// (scaled) clock.
TEST(TimeScale, RealisticTasksFinishFastOnAScaledClock) {
  std::mutex mutex;
  std::condition_variable called;
  std::string body;
  net::ServerOptions options;
  options.threads = 1;
  net::HttpServer receiver(options, [&](const net::HttpRequest& r) {
    {
      std::lock_guard lock(mutex);
      body = r.body;
    }
    called.notify_all();
    return net::HttpResponse::json(200, json::object());
  });
  const auto receiver_port = receiver.start();
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1", "--latency", "realistic",
              "--time-scale", "1000"});
  const std::string first = mock.first_line(std::chrono::seconds(10));
  const auto port = static_cast<std::uint16_t>(std::stoi(first.substr(first.rfind(':') + 1)));
  TestClient client(port);
  const auto r = client.request(
      "POST", "/apixo/api/v1/generateTask/gpt-image-1",
      json{{"request_type", "callback"},
           {"callback_url", "http://127.0.0.1:" + std::to_string(receiver_port) + "/cb"},
           {"input", {{"prompt", "fox"}}}}
          .dump(),
      {{"Authorization", "Bearer apixo-demo"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::unique_lock lock(mutex);
  ASSERT_TRUE(called.wait_for(lock, std::chrono::seconds(10), [&] { return !body.empty(); }))
      << "no callback within 10 s: at 1000x a 20-40 s task takes 20-40 ms";
  const json data = json::parse(body)["data"];
  EXPECT_EQ(data["state"], "success");
  EXPECT_GE(data["costTime"].get<std::int64_t>(), 20'000) << "the realistic profile, in mock time";
  EXPECT_LE(data["costTime"].get<std::int64_t>(), 40'100);
}

TEST(TimeScale, ScaledClockMovesForwardOnDemand) {
  mock::ScaledClock clock(1.0);
  const auto before = clock.now_ms();
  clock.advance(std::chrono::hours(24 * 15));
  EXPECT_GE(clock.now_ms() - before, 15LL * 24 * 3600 * 1000);
}

}  // namespace
}  // namespace tollgate::test
