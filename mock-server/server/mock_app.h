#pragma once
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "contract/contract.h"
#include "mock-server/content/cdn.h"
#include "mock-server/server/admin_api.h"
#include "mock-server/server/answer_counters.h"
#include "mock-server/callbacks/callbacks.h"
#include "mock-server/families/mock_context.h"
#include "mock-server/families/family.h"
#include "mock-server/state/state_db.h"
#include "net/http_types.h"

namespace tollgate::mock {

/// One OpenAPI document for a family: the paths and components of all its
/// contracts (a component name defined twice with different content is an
/// error), each operation carrying its own document's security.
nlohmann::json merge_contracts(const std::vector<std::shared_ptr<const contract::Contract>>& contracts,
                               const std::string& title);

struct MockOptions {
  std::filesystem::path spec_dir;
  std::filesystem::path fixture;  ///< the state to start from
  LatencyMode latency = LatencyMode::kFast;
  std::string family;  ///< when set: serve only this family, at the root
  std::size_t max_logs = 200'000;  ///< logs kept in memory
  std::size_t max_tasks = 200'000;  ///< finished tasks kept in memory
  /// SQLite state file: accounts, keys, quota, logs and tasks survive
  /// restarts (and kill -9); empty: in memory only.
  std::filesystem::path state_file;
  CallbackOptions callbacks;
  std::string admin_token;  ///< lets non-loopback clients use /_mock/ with Authorization: Bearer
  /// Refuse request-body fields the contract does not list, whatever the
  /// fixture says (--strict-params).
  bool strict_params = false;
  /// Moves the mock's clock forward (POST /_mock/clock); unset: refused.
  std::function<void(std::chrono::milliseconds)> advance_clock;
  /// --capacity: the capacity of every chat, completion and embedding
  /// model whose fixture gives it none (concurrency 0: none).
  CapacitySpec capacity;
  /// Where the mock's log lines go (callback outcomes); default stderr.
  std::function<void(const std::string&)> log;
};

/// The mock's request router: /healthz, /<family>/openapi.json, the CDN,
/// the admin API, and each family under its prefix (or one family at the
/// root).
class MockApp : public MockControls {
 public:
  /// Loads contracts and fixture; throws SourceError naming what is wrong.
  MockApp(const MockOptions& options, const Clock& clock);

  ~MockApp() override;

  /// Answers one request; never throws.
  net::HttpResponse handle(const net::HttpRequest& request);

  /// Moves tasks whose time has come and queues their callbacks, then
  /// delivers the callbacks that are due. The background threads call
  /// this; tests with a fake clock call it themselves.
  void tick();
  /// Runs tick()'s two halves on their own threads, every 20 ms, until
  /// destruction.
  void start_background();

  MockContext& context() { return *context_; }
  const Clock& clock() const override { return clock_; }

  /// The body of the HTTP server's own refusals (413, 431, 400 for a
  /// malformed request, 500): OpenAI's error object, the shape most
  /// clients read. Give it to net::ServerOptions::protocol_error.
  static net::HttpResponse protocol_error(int status, const std::string& message);
  const CallbackDispatcher& callbacks() const override { return dispatcher_; }
  const AnswerCounters& answers() const override { return answers_; }

  // What the admin API does (MockControls).
  nlohmann::json task_counts() override;
  nlohmann::json capacity_load() override;
  nlohmann::json fault_rules() override;
  nlohmann::json set_fault_rules(const nlohmann::json& rules) override;
  void reset() override;
  void load(const Fixture& fixture) override;
  bool clock_movable() const override { return static_cast<bool>(options_.advance_clock); }
  void advance_clock(std::chrono::milliseconds by) override;

 private:
  void advance_tasks();
  void build(const Fixture& fixture, bool from_db);
  net::HttpResponse serve(std::size_t family, const net::HttpRequest& request, std::string_view rest);
  /// The action the request's X-Tollgate-Fault asks for, else the profile's.
  std::string pick_fault(const std::string& family, const net::HttpRequest& request, std::string_view rest,
                         FaultAction& action);

  MockOptions options_;
  const Clock& clock_;
  std::string single_family_;
  std::map<std::string, std::string> openapi_json_;  ///< family -> served document
  Fixture start_;                                    ///< what /_mock/reset returns to
  std::shared_mutex state_mutex_;                    ///< shared: requests; exclusive: reset, load
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<MockContext> context_;
  std::vector<std::unique_ptr<FamilyService>> services_;  ///< in families() order
  std::unique_ptr<Cdn> cdn_;
  CallbackDispatcher dispatcher_;
  AnswerCounters answers_;
  AdminApi admin_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::vector<std::thread> background_;
};

}  // namespace tollgate::mock
