#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/contract.h"
#include "mock-server/http_types.h"

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

/// The mock's request router.
class MockApp {
 public:
  /// Loads every family's contracts from `spec_dir`; throws SourceError
  /// when one cannot be loaded.
  explicit MockApp(const std::filesystem::path& spec_dir);

  /// Answers one request; never throws.
  HttpResponse handle(const HttpRequest& request) const;

 private:
  std::map<std::string, std::string> openapi_json_;  ///< family -> served document
};

}  // namespace tollgate::mock
