// tollgate-mock: a stateful mock of the AI-gateway API family.
#include <pthread.h>
#include <sys/resource.h>

#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "apps/tollgate/completion.h"
#include "common/data_dir.h"
#include "common/source_error.h"
#include "mock-server/server/mock_app.h"
#include "mock-server/model/scaled_clock.h"
#include "net/http_server.h"
#include "net/listen_address.h"

namespace {

using namespace tollgate::mock;
namespace net = tollgate::net;

// Many concurrent streams need many descriptors: use the hard limit.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// The command line, bound to CLI11.
// "32", "32:64" or "32:64:503": concurrency, queue, refusal status.
std::optional<CapacitySpec> parse_capacity(const std::string& text) {
  CapacitySpec c;
  int* fields[] = {&c.concurrency, &c.queue, &c.refuse};
  std::size_t at = 0;
  for (int i = 0; i < 3 && at <= text.size(); ++i) {
    const auto colon = text.find(':', at);
    const std::string part = text.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
    if (part.empty() || part.size() > 7 || part.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    *fields[i] = std::stoi(part);
    if (colon == std::string::npos) {
      at = std::string::npos;
      break;
    }
    at = colon + 1;
  }
  if (at != std::string::npos || c.concurrency < 1 || (c.refuse != 429 && c.refuse != 503)) return std::nullopt;
  return c;
}

struct Flags {
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  std::string spec_dir = (tollgate::data_dir() / "spec").string();
  std::string fixture = (tollgate::data_dir() / "fixtures" / "default.yaml").string();
  std::string latency = "fast";
  std::string capacity;  ///< "CONCURRENCY[:QUEUE[:STATUS]]"
  bool strict_params = false;
  std::string family;
  std::size_t body_limit = 10 * 1024 * 1024;
  std::string tls_cert, tls_key;
  std::vector<std::string> providers_down;
  std::size_t max_logs = 200'000;
  std::size_t max_tasks = 200'000;
  double time_scale = 1.0;
  CallbackOptions callbacks;
  long callback_backoff_ms = 1000, callback_timeout_ms = 5000;
  std::string admin_token;
  std::string state_file;

  void add_server_options(CLI::App& app) {
    app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free one")->capture_default_str();
    app.add_option("--threads", threads, "worker threads (0: one per core)")->capture_default_str();
    app.add_option("--body-limit", body_limit, "largest request body in bytes (larger: 413)")->capture_default_str();
    auto* cert = app.add_option("--tls-cert", tls_cert, "PEM certificate (chain): serve HTTPS")->check(CLI::ExistingFile);
    auto* key = app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
    cert->needs(key);
    key->needs(cert);
    app.add_option("--admin-token", admin_token,
                   "lets non-loopback clients use the /_mock/ admin API with Authorization: Bearer TOKEN");
    app.add_option("--spec-dir", spec_dir,
                   "directory holding the contracts (default: $TOLLGATE_SPEC_DIR, else spec/ of the data directory: "
                   "$TOLLGATE_DATA_DIR, else ../share/tollgate beside the binary)")
        ->capture_default_str();
  }

  void add_state_options(CLI::App& app) {
    app.add_option("--fixture", fixture,
                   "the state to start from (accounts, keys, models, providers; default: fixtures/default.yaml of "
                   "the data directory)")
        ->capture_default_str();
    app.add_option("--latency", latency, "latency profile of the models: fast or realistic")
        ->check(CLI::IsMember({"fast", "realistic"}))
        ->capture_default_str();
    app.add_option("--capacity", capacity,
                   "CONCURRENCY[:QUEUE[:429|503]]: every chat, completion and embedding model without a capacity in "
                   "the fixture generates at most CONCURRENCY answers at once, QUEUE more wait (default 0), the rest "
                   "are refused (default 429)")
        ->check([](const std::string& text) { return parse_capacity(text) ? std::string() : "expected e.g. 32 or 32:64 or 32:64:503"; });
    app.add_option("--family", family, "serve only this family, at the root (aiapigiare, aimichat, aiproxy, apixo)");
    app.add_flag("--strict-params", strict_params,
                 "refuse request-body fields the contract does not list (400 unknown_parameter); default: accepted");
    app.add_option("--provider-down", providers_down,
                   "mark an upstream provider unhealthy (repeatable): its models fail over to the next one");
    app.add_option("--max-logs", max_logs, "logs kept in memory; the oldest are dropped beyond it")
        ->capture_default_str();
    app.add_option("--max-tasks", max_tasks, "finished tasks kept in memory; the oldest are forgotten beyond it")
        ->capture_default_str();
    app.add_option("--time-scale", time_scale,
                   "run the mock's clock this many times faster (task durations, link expiry, rate windows, "
                   "callback backoff)")
        ->check(CLI::Range(0.001, 1e6))
        ->capture_default_str();
    app.add_option("--state", state_file,
                   "SQLite file keeping accounts, keys, quota, logs and tasks across restarts (created and seeded "
                   "from --fixture when new)");
  }

  void add_callback_options(CLI::App& app) {
    app.add_option("--callback-allow", callbacks.allow,
                   "a host callbacks may go to besides loopback (repeatable): name, *.suffix or *");
    app.add_option("--callback-attempts", callbacks.max_attempts, "tries per callback before giving up")
        ->check(CLI::Range(1, 20))
        ->capture_default_str();
    app.add_option("--callback-backoff-ms", callback_backoff_ms,
                   "wait before the first retry; doubled before each next one (mock clock)")
        ->check(CLI::Range(1L, 3'600'000L))
        ->capture_default_str();
    app.add_option("--callback-timeout-ms", callback_timeout_ms, "time a receiver has to answer one attempt")
        ->check(CLI::Range(1L, 600'000L))
        ->capture_default_str();
  }

  MockOptions mock_options(ScaledClock& clock) {
    callbacks.backoff = std::chrono::milliseconds(callback_backoff_ms);
    callbacks.timeout = std::chrono::milliseconds(callback_timeout_ms);
    MockOptions o;
    o.spec_dir = spec_dir;
    o.fixture = fixture;
    o.latency = latency == "realistic" ? LatencyMode::kRealistic : LatencyMode::kFast;
    o.strict_params = strict_params;
    if (!capacity.empty()) o.capacity = *parse_capacity(capacity);
    o.family = family;
    o.max_logs = max_logs;
    o.max_tasks = max_tasks;
    o.callbacks = callbacks;
    o.admin_token = admin_token;
    o.state_file = state_file;
    o.advance_clock = [&clock](std::chrono::milliseconds d) { clock.advance(d); };
    return o;
  }
};

// Serves until SIGINT or SIGTERM, then drains. The signals are blocked in
// every thread and taken here, synchronously.
int serve(Flags& flags, const net::ServerOptions& options, const sigset_t& signals) {
  ScaledClock clock(flags.time_scale);
  MockApp mock(flags.mock_options(clock), clock);
  for (const auto& p : flags.providers_down) mock.context().set_provider_healthy(p, false);
  net::HttpServer server(options, [&mock](const net::HttpRequest& r) { return mock.handle(r); });
  const auto port = server.start();
  mock.start_background();
  const bool v6 = options.host.find(':') != std::string::npos;
  std::cout << "listening on " << (flags.tls_cert.empty() ? "http" : "https") << "://"
            << (v6 ? "[" + options.host + "]" : options.host) << ":" << port << std::endl;
  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "tollgate-mock: " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ", draining\n";
  server.stop();
  server.wait();
  std::cerr << "tollgate-mock: stopped\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tollgate-mock: a stateful mock of the AI-gateway API family"};
  Flags flags;
  if (const char* env = std::getenv("TOLLGATE_SPEC_DIR")) flags.spec_dir = env;
  flags.add_server_options(app);
  flags.add_state_options(app);
  flags.add_callback_options(app);
  std::string completion;
  app.add_option("--completion", completion, "print a shell completion script and exit: source <(tollgate-mock --completion bash)")
      ->check(CLI::IsMember({"bash"}));
  CLI11_PARSE(app, argc, argv);
  if (!completion.empty()) {
    std::cout << tollgate::cli::bash_completion(app, "tollgate-mock");
    return 0;
  }

  net::ServerOptions options;
  options.threads = flags.threads;
  options.body_limit = flags.body_limit;
  options.tls_cert = flags.tls_cert;
  options.tls_key = flags.tls_key;
  options.protocol_error = MockApp::protocol_error;
  if (auto error = net::parse_listen_address(flags.listen, options.host, options.port); !error.empty()) {
    std::cerr << "tollgate-mock: --listen " << flags.listen << ": " << error << "\n";
    return 2;
  }
  raise_open_file_limit();
  sigset_t signals;  // blocked before any thread starts, so that every thread inherits it
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    return serve(flags, options, signals);
  } catch (const tollgate::SourceError& e) {
    std::cerr << "tollgate-mock: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tollgate-mock: " << e.what() << "\n";
    return 3;
  }
}
