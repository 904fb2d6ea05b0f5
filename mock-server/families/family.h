#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock-server/families/mock_context.h"
#include "net/http_types.h"

namespace tollgate::mock {

/// A provider family the mock serves, and the contracts that describe it.
struct Family {
  std::string name;                ///< URL prefix: /aiapigiare, /aimichat, ...
  std::vector<std::string> files;  ///< contract files in the spec directory
};

/// The four families, in the order they are listed.
const std::vector<Family>& families();
/// Their names, in the same order.
std::vector<std::string> family_names();

/// One provider family served by the mock.
class FamilyService {
 public:
  virtual ~FamilyService() = default;
  /// Answers a request whose path has the family prefix removed.
  virtual net::HttpResponse handle(const net::HttpRequest& request, std::string_view path) = 0;
  /// An error in the family's shape for `path`, for injected faults.
  virtual net::HttpResponse fault(int status, const std::string& message, std::string_view path) = 0;
};

std::unique_ptr<FamilyService> make_aiproxy(MockContext& ctx, const std::filesystem::path& spec_dir);
std::unique_ptr<FamilyService> make_aimichat(MockContext& ctx, const std::filesystem::path& spec_dir);
std::unique_ptr<FamilyService> make_aiapigiare(MockContext& ctx, const std::filesystem::path& spec_dir);
std::unique_ptr<FamilyService> make_apixo(MockContext& ctx, const std::filesystem::path& spec_dir);

/// What Apixo's statusTask answers for `task`, and its callbacks carry.
nlohmann::json apixo_status_body(const Task& task);

/// The Bearer token of an Authorization header, or "".
std::string bearer_token(const net::HttpRequest& request);

}  // namespace tollgate::mock
