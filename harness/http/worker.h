#pragma once
// One worker thread of a run: its io_context, timers and connection pools,
// the executors of every scenario, the runners that carry out the
// iterations they start, and its share of the figures. Nothing a worker
// owns is touched by another thread while it runs; its figures are read
// once it has ended, and handed over once a second through the Sampler.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include "harness/http/io.h"

#include "harness/check/checks.h"
#include "harness/check/response.h"
#include "harness/check/verdict.h"
#include "harness/exec/open_model.h"
#include "harness/exec/sampler.h"
#include "harness/exec/stopper.h"
#include "harness/flow/callback_hub.h"
#include "harness/http/asio_timers.h"
#include "harness/http/pool.h"
#include "harness/http/request_log.h"
#include "harness/http/request.h"

namespace tollgate::http {

/// What the workers of one run share.
struct RunShared {
  const scenario::Plan& plan;
  const std::atomic<int>& stop;
  const Clock& clock;
  unsigned workers = 1;
  Clock::TimePoint start{};
  std::vector<std::unique_ptr<std::atomic<std::int64_t>>> iterations_left;  ///< per scenario: the budget
  std::vector<std::unique_ptr<std::atomic<std::int64_t>>> iteration_seq;    ///< per scenario: {{iteration}}, data rows
  flow::CallbackHub* callbacks = nullptr;
  exec::Sampler* sampler = nullptr;
  RequestLog* requests = nullptr;  ///< --requests, when asked
  int requests_run = 0;            ///< this run's number in it
};

/// The segment of `spec` this run is: the plan's, and for a closed model
/// over its VUs (Segment::over), so its iteration budget and numbers go
/// only to segments that have VUs.
exec::Segment scenario_segment(const scenario::Plan& plan, const scenario::Scenario& spec);

/// Carries out the iterations an executor starts in one slot, one after
/// another; its answer and verdict are reused from one request to the next.
struct Runner {
  explicit Runner(boost::asio::io_context& ioc) : wake(ioc), sleep(ioc) {}
  Timer wake;   ///< waits for the next iteration
  Timer sleep;  ///< poll intervals and callback waits
  std::optional<exec::IterationStart> pending;
  bool waiting = false;
  check::Response response;
  check::Verdict verdict;
};

/// One scenario on one worker.
struct ScenarioRun {
  const scenario::Scenario* spec = nullptr;
  std::size_t index = 0;        ///< in the plan
  std::size_t first_step = 0;   ///< its steps' place among all steps of the plan
  std::unique_ptr<ConnectionPool> pool;
  std::vector<Request> requests;                 ///< per step, prepared (steps without variables)
  std::vector<std::vector<std::string>> secrets;  ///< per step: the prepared request's credentials
  std::vector<check::StepChecks> checks;
  std::vector<metrics::StepMetrics> steps;
  std::unique_ptr<exec::Executor> executor;
  exec::OpenModel* open = nullptr;  ///< the executor, when it is the open model
  std::vector<std::unique_ptr<Runner>> runners;  ///< one per slot
  std::int64_t iterations = 0;
  std::mt19937_64 rng;
  exec::Segment segment;  ///< scenario_segment: how its iterations are numbered
};

class Worker {
 public:
  /// Builds every scenario's pool, executor and runners; throws
  /// std::runtime_error when a pool cannot be made (TLS files).
  Worker(RunShared& shared, unsigned index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Starts the thread: executors begin at shared.start.
  void start();
  void join();

  const std::vector<std::unique_ptr<ScenarioRun>>& scenarios() const { return scenarios_; }

 private:
  void add_scenario(const scenario::Scenario& spec, std::size_t index, std::size_t first_step);
  std::unique_ptr<exec::Executor> make_executor(ScenarioRun& s, int total_vus, int cap);
  void await_start();
  void begin();
  bool busy() const;
  void stop_starting();
  void close();
  void tick(std::int64_t k, bool last);

  Task<void> run_slot(ScenarioRun& s, int slot);
  Task<void> iteration(ScenarioRun& s, Runner& r, exec::IterationStart start);
  Task<void> poll_step(ScenarioRun& s, Runner& r, std::size_t i, std::int64_t seq, const Request& req, Reading reading,
                                 check::PollOutcome& poll);
  Task<void> await_callback(ScenarioRun& s, Runner& r, std::size_t i, const std::vector<std::string>& secrets,
                                      const flow::Lookup& lookup);
  Task<std::optional<flow::Arrival>> wait_callback(Runner& r, const std::string& pointer,
                                                             const std::string& value, std::chrono::nanoseconds timeout);
  Task<void> sleep_until(Runner& r, Clock::TimePoint t);
  void record(ScenarioRun& s, std::size_t i, const check::Response& r, Clock::TimePoint intended);
  /// One line of --requests for a counted exchange (`verdict`: when it was
  /// judged; an aborted one has none).
  void log_request(ScenarioRun& s, std::size_t i, std::int64_t iteration, const check::Response& r,
                   Clock::TimePoint intended, const check::Verdict* verdict);
  void flush_requests();

  RunShared& shared_;
  const unsigned index_;
  /// One thread runs it and only it does I/O on its sockets, so the
  /// reactor needs no locks; other threads may still post to it (the
  /// callback receiver does).
  boost::asio::io_context ioc_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  AsioTimers timers_;
  std::vector<std::unique_ptr<ScenarioRun>> scenarios_;
  std::unique_ptr<exec::Stopper> stopper_;
  std::unique_ptr<exec::IntervalTicker> ticker_;
  exec::IntervalData interval_;                 ///< latency since the last tick, per step of the plan
  std::vector<std::int64_t> ticked_requests_, ticked_errors_;  ///< counts at the last tick
  struct Ticked {  ///< per step: the rest of its counts at the last tick
    std::array<std::int64_t, static_cast<int>(metrics::ErrorKind::kCount)> error_kinds{};
    std::int64_t checks_passed = 0, checks_failed = 0;
  };
  std::vector<Ticked> ticked_;
  std::thread thread_;
  bool closing_ = false;
  std::string request_lines_;                ///< --requests lines not yet written
  std::vector<std::string> quoted_names_;    ///< per step of the plan: "scenario","step" as JSON
};

}  // namespace tollgate::http
