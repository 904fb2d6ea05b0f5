#pragma once
// A child process for tests that run the project's binaries as a user would.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace tollgate::test {

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

  /// All the child prints until it closes its output, waiting at most `timeout`.
  std::string all_output(std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const auto n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
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
    rusage usage{};
    wait4(pid_, &status, 0, &usage);
    max_rss_kb_ = usage.ru_maxrss;
    pid_ = -1;
    return status;
  }

  pid_t pid() const { return pid_; }
  /// The child's peak resident memory (KiB), once wait_exit has seen it exit.
  long max_rss_kb() const { return max_rss_kb_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  long max_rss_kb_ = 0;
};

/// What a shell command printed (stdout and stderr) and its exit code (-1
/// when it did not exit in time).
struct Outcome {
  int exit_code;
  std::string output;
};

/// `s` as one word of a /bin/sh command line, whatever it holds.
inline std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Runs `command` with /bin/sh, its stderr folded into its stdout.
inline Outcome run_shell(const std::string& command, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  Child c({"/bin/sh", "-c", command + " 2>&1"});
  Outcome o;
  o.output = c.all_output(timeout);
  const int status = c.wait_exit(std::chrono::seconds(10));
  o.exit_code = status == -1 ? -1 : WEXITSTATUS(status);
  return o;
}

}  // namespace tollgate::test
