// Callback delivery with a fake clock: retries with exponential backoff
// against a receiver that fails first, giving up, timeouts, and the
// allow-list that keeps the mock from calling anywhere but loopback.
#include <atomic>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "mock-server/callbacks/callbacks.h"
#include "tests/support/mock_server.h"
#include "tests/support/raw_server.h"

namespace tollgate::test {
namespace {

using nlohmann::json;

/// A callback receiver on 127.0.0.1:0 that answers `fail_status` to the
/// first `failures` calls, then 200, and keeps every body.
class Receiver {
 public:
  Receiver(int failures, int fail_status = 500)
      : failures_(failures), fail_status_(fail_status), server_(options(), [this](const net::HttpRequest& r) {
          std::lock_guard lock(mutex_);
          bodies_.push_back(r.body);
          return net::HttpResponse::json(bodies_.size() <= static_cast<std::size_t>(failures_) ? fail_status_ : 200,
                                          {{"ok", true}});
        }) {
    port_ = server_.start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook?x=1"; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  static net::ServerOptions options() {
    net::ServerOptions o;
    o.threads = 1;
    return o;
  }
  int failures_, fail_status_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  net::HttpServer server_;
  std::uint16_t port_ = 0;
};

class Callbacks : public ::testing::Test {
 protected:
  Callbacks()
      : mock_(default_fixture(), mock::LatencyMode::kFast, [this](mock::MockOptions& o) {
          o.callbacks.max_attempts = 4;
          o.callbacks.backoff = std::chrono::milliseconds(1000);
          o.callbacks.timeout = std::chrono::milliseconds(2000);
          o.log = [this](const std::string& line) {
            std::lock_guard lock(mutex_);
            log_.push_back(line);
          };
        }) {}

  std::string submit(const std::string& url, const std::string& prompt = "a lighthouse") {
    const auto r = mock_.call("POST", "/apixo/api/v1/generateTask/gpt-image-1",
                              {{"request_type", "callback"}, {"callback_url", url}, {"input", {{"prompt", prompt}}}},
                              {{"Authorization", "Bearer apixo-demo"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["data"].value("taskId", "");
  }
  void finish(const std::string& id) { mock_.clock().set_ms(mock_.context().store().task(id)->finish_ms); }
  std::vector<std::string> log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

  std::mutex mutex_;
  std::vector<std::string> log_;
  MockServer mock_;
};

TEST_F(Callbacks, RetriedWithExponentialBackoffUntilTheReceiverAccepts) {
  Receiver receiver(2);
  const std::string id = submit(receiver.url());
  mock_.app().tick();
  EXPECT_TRUE(receiver.bodies().empty()) << "nothing before the task ends";
  finish(id);
  mock_.app().tick();
  EXPECT_EQ(receiver.bodies().size(), 1u);  // attempt 1: 500
  mock_.clock().advance(std::chrono::milliseconds(999));
  mock_.app().tick();
  EXPECT_EQ(receiver.bodies().size(), 1u) << "the first retry waits 1 s";
  mock_.clock().advance(std::chrono::milliseconds(1));
  mock_.app().tick();
  EXPECT_EQ(receiver.bodies().size(), 2u);  // attempt 2: 500
  mock_.clock().advance(std::chrono::milliseconds(1999));
  mock_.app().tick();
  EXPECT_EQ(receiver.bodies().size(), 2u) << "the second retry waits 2 s";
  mock_.clock().advance(std::chrono::milliseconds(1));
  mock_.app().tick();
  ASSERT_EQ(receiver.bodies().size(), 3u);  // attempt 3: 200
  mock_.clock().advance(std::chrono::hours(1));
  mock_.app().tick();
  EXPECT_EQ(receiver.bodies().size(), 3u) << "delivered once, never again";

  // The body is the documented status payload, valid against the
  // contract's callback schema.
  const json body = json::parse(receiver.bodies().back());
  EXPECT_EQ(body["data"]["taskId"], id);
  EXPECT_EQ(body["data"]["state"], "success");
  const auto contract = contract::Contract::load(spec("apixo.yaml"));
  const auto& cb = contract->find("generateTask")->callbacks.at(0);
  std::vector<contract::Violation> violations;
  EXPECT_TRUE(contract->validator().validate(cb.body.at(0).schema, body, contract::Direction::kRequest, violations))
      << (violations.empty() ? "" : violations.front().message);
  EXPECT_EQ(mock_.context().store().task(id)->callback, mock::CallbackState::kDelivered);
  const auto c = mock_.app().callbacks().counters();
  EXPECT_EQ(c.attempts, 3);
  EXPECT_EQ(c.delivered, 1);
  EXPECT_EQ(c.failed_attempts, 2);
  // Every outcome is in the mock's log.
  const auto lines = log();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("attempt 1/4 failed (HTTP 500), retry in 1000 ms"), std::string::npos) << lines[0];
  EXPECT_NE(lines[2].find("attempt 3/4 delivered (HTTP 200)"), std::string::npos) << lines[2];
  // And in the admin API.
  const auto admin = json::parse(mock_.call("GET", "/_mock/callbacks").body)["callbacks"];
  EXPECT_EQ(admin.back()["delivered"], true);
  EXPECT_EQ(admin.back()["attempts"], 3);
}

// The lost callback (issue 13): whatever moves a task to its end - the
// background tick, a poll of its status, another task's submit counting
// the key's unfinished tasks - its callback goes out. A read that crossed
// the finish time used to keep the news to itself, and the callback was
// never sent.
TEST_F(Callbacks, ATaskFinishedByAReadStillCallsBack) {
  Receiver receiver(0);
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(submit(receiver.url(), "lighthouse " + std::to_string(i)));
  std::int64_t last = 0;
  for (const auto& id : ids) last = std::max(last, mock_.context().store().task(id)->finish_ms);
  mock_.clock().set_ms(last);
  // Reads of every kind cross the finish times before any tick does.
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i % 3 == 0)
      mock_.call("GET", "/apixo/api/v1/statusTask/gpt-image-1?taskId=" + ids[i], nullptr,
                 {{"Authorization", "Bearer apixo-demo"}});
    else if (i % 3 == 1)
      mock_.call("POST", "/apixo/api/v1/generateTask/gpt-image-1",
                 {{"request_type", "async"}, {"input", {{"prompt", "a submit counts the unfinished tasks"}}}},
                 {{"Authorization", "Bearer apixo-demo"}});
    else
      mock_.context().store().task(ids[i]);
  }
  mock_.app().tick();
  std::set<std::string> called;
  for (const auto& b : receiver.bodies()) called.insert(json::parse(b)["data"].value("taskId", ""));
  for (const auto& id : ids) EXPECT_TRUE(called.count(id)) << id << " was never called back";
  EXPECT_EQ(receiver.bodies().size(), ids.size()) << "each exactly once";
}

TEST_F(Callbacks, FailedTasksAreCalledBackToo) {
  Receiver receiver(0);
  const std::string id = submit(receiver.url(), "forbidden words");
  finish(id);
  mock_.app().tick();
  ASSERT_EQ(receiver.bodies().size(), 1u);
  const json body = json::parse(receiver.bodies()[0]);
  EXPECT_EQ(body["data"]["state"], "failed");
  EXPECT_EQ(body["data"]["failCode"], "CONTENT_VIOLATION");
}

TEST_F(Callbacks, GiveUpAfterTheLastAttempt) {
  Receiver receiver(100, 503);
  const std::string id = submit(receiver.url());
  finish(id);
  for (int i = 0; i < 10; ++i) {
    mock_.app().tick();
    mock_.clock().advance(std::chrono::seconds(10));
  }
  EXPECT_EQ(receiver.bodies().size(), 4u) << "max_attempts";
  EXPECT_EQ(mock_.context().store().task(id)->callback, mock::CallbackState::kGaveUp);
  EXPECT_EQ(mock_.app().callbacks().counters().gave_up, 1);
  EXPECT_NE(log().back().find("giving up"), std::string::npos) << log().back();
}

TEST_F(Callbacks, AReceiverThatNeverAnswersTimesOut) {
  RawServer silent([](boost::asio::ip::tcp::socket& s) {
    RawServer::read_head(s);
    boost::system::error_code ec;
    char byte;
    s.read_some(boost::asio::buffer(&byte, 1), ec);  // until the mock gives up and closes
  });
  mock::CallbackOptions options;
  options.timeout = std::chrono::milliseconds(200);
  options.max_attempts = 1;
  std::vector<std::string> lines;
  FakeClock clock;
  mock::CallbackDispatcher d(clock, options, [&](const std::string& l) { lines.push_back(l); }, {});
  d.enqueue("task_1", "http://127.0.0.1:" + std::to_string(silent.port()) + "/cb", "{}");
  EXPECT_EQ(d.deliver_due(), 1u);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("timed out after 200 ms"), std::string::npos) << lines[0];
  EXPECT_EQ(d.counters().gave_up, 1);
}

TEST_F(Callbacks, OnlyLoopbackAndAllowedHostsAreCalled) {
  // At submit: a clear 400.
  const auto r = mock_.call("POST", "/apixo/api/v1/generateTask/gpt-image-1",
                            {{"request_type", "callback"}, {"callback_url", "http://169.254.169.254/latest"},
                             {"input", {{"prompt", "fox"}}}},
                            {{"Authorization", "Bearer apixo-demo"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("callback host 169.254.169.254 is not allowed"), std::string::npos) << r.body;
  // At delivery too, without touching the network.
  FakeClock clock;
  std::vector<std::string> lines;
  mock::CallbackDispatcher d(clock, {}, [&](const std::string& l) { lines.push_back(l); }, {});
  d.enqueue("task_1", "http://10.0.0.1:9/cb", "{}");
  d.deliver_due();
  EXPECT_EQ(d.counters().refused, 1);
  EXPECT_EQ(d.counters().attempts, 1) << "refused once, never retried";
  EXPECT_NE(lines.at(0).find("refused"), std::string::npos);

  using mock::callback_host_problem;
  for (const char* ok : {"127.0.0.1", "127.3.4.5", "::1", "localhost"}) EXPECT_EQ(callback_host_problem(ok, {}), "") << ok;
  for (const char* bad : {"10.0.0.1", "example.com", "0.0.0.0", "localhost.example.com"})
    EXPECT_NE(callback_host_problem(bad, {}), "") << bad;
  EXPECT_EQ(callback_host_problem("hooks.example.com", {"hooks.example.com"}), "");
  EXPECT_EQ(callback_host_problem("a.b.example.com", {"*.example.com"}), "");
  EXPECT_NE(callback_host_problem("example.com.evil", {"*.example.com"}), "");
  EXPECT_EQ(callback_host_problem("anything", {"*"}), "");

  mock::CallbackTarget t;
  EXPECT_NE(mock::parse_callback_url("https://127.0.0.1/cb", t), "");
  EXPECT_NE(mock::parse_callback_url("http://user:pw@127.0.0.1/cb", t), "");
  EXPECT_NE(mock::parse_callback_url("http://127.0.0.1:99999/cb", t), "");
  EXPECT_NE(mock::parse_callback_url("ftp://127.0.0.1/cb", t), "");
  ASSERT_EQ(mock::parse_callback_url("http://[::1]:8080/a/b?c=d#frag", t), "");
  EXPECT_EQ(t.host, "::1");
  EXPECT_EQ(t.port, "8080");
  EXPECT_EQ(t.target, "/a/b?c=d");
}

TEST(CallbacksAllowList, CallbackAllowAdmitsNamedHostsAtSubmit) {
  MockServer mock(default_fixture(), mock::LatencyMode::kFast,
                  [](mock::MockOptions& o) { o.callbacks.allow = {"*.hooks.test"}; });
  const auto r = mock.call("POST", "/apixo/api/v1/generateTask/gpt-image-1",
                           {{"request_type", "callback"}, {"callback_url", "http://ci.hooks.test/apixo"},
                            {"input", {{"prompt", "fox"}}}},
                           {{"Authorization", "Bearer apixo-demo"}});
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace tollgate::test
