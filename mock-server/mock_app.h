#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "contract/contract.h"
#include "mock-server/family.h"
#include "mock-server/http_types.h"
#include "mock-server/mock_context.h"

namespace tollgate::mock {

/// A provider family the mock serves, and the contracts that describe it.
struct Family {
  std::string name;                ///< URL prefix: /aiapigiare, /aimichat, ...
  std::vector<std::string> files;  ///< contract files in the spec directory
};

/// The four families, in the order they are listed.
const std::vector<Family>& families();

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
};

/// The mock's request router: /healthz, /<family>/openapi.json, and each
/// family under its prefix (or one family at the root).
class MockApp {
 public:
  /// Loads contracts and fixture; throws SourceError naming what is wrong.
  MockApp(const MockOptions& options, const Clock& clock);

  /// Answers one request; never throws.
  HttpResponse handle(const HttpRequest& request);

  MockContext& context() { return *context_; }

 private:
  std::string single_family_;
  std::map<std::string, std::string> openapi_json_;  ///< family -> served document
  std::unique_ptr<MockContext> context_;
  std::map<std::string, std::unique_ptr<FamilyService>> services_;
};

}  // namespace tollgate::mock
