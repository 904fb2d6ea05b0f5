// The tollgate-mock binary as a user runs it: port 0, first line, SIGTERM.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/test_client.h"

extern char** environ;

namespace tollgate::test {
namespace {

// A child process with its stdout on a pipe.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("spawn " + args[0]);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
  }

  /// The first line the child prints, waiting at most `timeout`.
  std::string first_line(std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[256];
      const auto n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    return line.substr(0, line.find('\n'));
  }

  /// Waits up to `timeout` for the child to exit; returns its wait status or -1.
  int wait_exit(std::chrono::milliseconds timeout) {
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd < 0) return -1;
    pollfd p{pidfd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    close(pidfd);
    if (ready <= 0) return -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

TEST(MockBinary, StartsOnPortZeroServesContractsAndStopsOnSigterm) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "2"});
  const std::string first = mock.first_line(std::chrono::seconds(10));
  std::smatch m;
  ASSERT_TRUE(std::regex_match(first, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"))) << first;
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
  ASSERT_NE(port, 0);

  TestClient client(port);
  const auto health = client.request("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  for (const char* family : {"aiapigiare", "aimichat", "aiproxy", "apixo"}) {
    const auto res = client.request("GET", std::string("/") + family + "/openapi.json");
    EXPECT_EQ(res.status, 200) << family;
    EXPECT_EQ(nlohmann::json::parse(res.body)["openapi"], "3.0.3") << family;
  }

  ASSERT_EQ(kill(mock.pid(), SIGTERM), 0);
  const int status = mock.wait_exit(std::chrono::seconds(1));
  ASSERT_NE(status, -1) << "tollgate-mock did not stop within a second of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(MockBinary, BadListenAddressExitsWithUsageError) {
  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "nonsense"});
  const int status = mock.wait_exit(std::chrono::seconds(10));
  ASSERT_NE(status, -1);
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace tollgate::test
