#pragma once
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "mock-server/callbacks/callbacks.h"
#include "mock-server/model/fixture.h"
#include "mock-server/server/answer_counters.h"
#include "net/http_types.h"

namespace tollgate::mock {

/// What the admin API reads and moves. The mock app is one; the admin API
/// knows it only as this, so it stands below the app it serves.
class MockControls {
 public:
  virtual ~MockControls() = default;

  virtual const Clock& clock() const = 0;
  virtual const AnswerCounters& answers() const = 0;
  virtual const CallbackDispatcher& callbacks() const = 0;
  /// {"queued": n, "processing": n, "succeeded": n, "failed": n}
  virtual nlohmann::json task_counts() = 0;
  /// Per model with a capacity: in flight, queued, admitted, waited, refused.
  virtual nlohmann::json capacity_load() = 0;
  virtual nlohmann::json fault_rules() = 0;
  /// Replaces the fault profile; throws std::invalid_argument naming the bad rule.
  virtual nlohmann::json set_fault_rules(const nlohmann::json& rules) = 0;
  /// Back to the fixture the mock started with (or last loaded): the
  /// store, callbacks and counters start over.
  virtual void reset() = 0;
  /// Loads `fixture` and resets the store and callbacks to it.
  virtual void load(const Fixture& fixture) = 0;
  virtual bool clock_movable() const = 0;
  /// Moves the clock forward (when movable) and the tasks with it.
  virtual void advance_clock(std::chrono::milliseconds by) = 0;
};

/// The admin API under /_mock/: counters, callback deliveries, the fault
/// profile, reset, fixture loading and time travel. It answers loopback
/// clients, or anyone with `Authorization: Bearer <token>` (403 otherwise).
class AdminApi {
 public:
  /// `token` empty: loopback clients only.
  AdminApi(MockControls& app, std::string token) : app_(app), token_(std::move(token)) {}

  /// Answers one request whose path is /_mock or under /_mock/.
  net::HttpResponse handle(const net::HttpRequest& request);

 private:
  net::HttpResponse counters();
  net::HttpResponse callbacks();
  net::HttpResponse faults();
  net::HttpResponse put_faults(const net::HttpRequest& request);
  net::HttpResponse reset();
  net::HttpResponse put_fixture(const net::HttpRequest& request);
  net::HttpResponse move_clock(const net::HttpRequest& request);

  MockControls& app_;
  std::string token_;
};

}  // namespace tollgate::mock
