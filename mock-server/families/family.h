#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/secrets.h"
#include "contract/contract.h"
#include "net/http_types.h"
#include "mock-server/core/mock_context.h"

namespace tollgate::mock {

/// A bad request in words: what each family turns into its error body.
struct Problem {
  int status = 400;
  std::string message;
  std::string code;   ///< machine code where the family has one ("model_not_found")
  std::string param;  ///< the offending field, "" when none
};

/// One provider family served by the mock.
class FamilyService {
 public:
  virtual ~FamilyService() = default;
  /// Answers a request whose path has the family prefix removed.
  virtual net::HttpResponse handle(const net::HttpRequest& request, std::string_view path) = 0;
  /// An error in the family's shape for `path`, for injected faults.
  virtual net::HttpResponse fault(int status, const std::string& message, std::string_view path) = 0;
};

/// Routes requests to a family's operations with its contracts and checks
/// their parameters and bodies against them: the contract is the mock's
/// source of truth for what a valid request is.
class ContractRoutes {
 public:
  explicit ContractRoutes(std::vector<std::shared_ptr<const contract::Contract>> contracts);

  struct Routed {
    contract::Match match;
    const contract::Contract* contract = nullptr;
  };
  Routed route(std::string_view method, std::string_view path) const;

  /// Checks query and path parameters (required ones present, each valid).
  std::optional<Problem> check_parameters(const Routed& routed, const net::HttpRequest& request) const;
  /// Parses the JSON body and checks it against the operation's schema.
  std::optional<Problem> parse_body(const Routed& routed, const net::HttpRequest& request, nlohmann::json& body) const;

 private:
  std::vector<std::shared_ptr<const contract::Contract>> contracts_;
};

/// "GET, POST": the methods a wrong-method match allows, for `Allow`.
std::string allow_list(const contract::Match& match);

/// X-RateLimit-Limit/Remaining/Reset (Unix seconds) of a rate decision.
void add_rate_headers(net::HttpResponse& response, const RateDecision& rate);
/// A refusal over the rate limit: the rate headers plus Retry-After.
net::HttpResponse rate_limited(net::HttpResponse response, const RateDecision& rate, const Clock& clock);

/// The Bearer token of an Authorization header, or "".
std::string bearer_token(const net::HttpRequest& request);
/// "2024-01-19T00:00:00Z" for Unix seconds.
std::string rfc3339(std::int64_t unix_s);
/// "/messages/0/role" -> "messages[0].role"
std::string param_path(std::string_view pointer);
/// The request's `prompt`/`messages` text as one string, for seeding.
std::string joined_text(const nlohmann::json& value);

/// What Apixo's statusTask answers for `task`, and its callbacks carry.
nlohmann::json apixo_status_body(const Task& task);
/// What aiapigiare's GET /task/{id} answers for `task`.
nlohmann::json media_task_body(const Task& task, std::int64_t now_ms);

std::unique_ptr<FamilyService> make_aiproxy(MockContext& ctx, const std::filesystem::path& spec_dir);
std::unique_ptr<FamilyService> make_aimichat(MockContext& ctx, const std::filesystem::path& spec_dir);
std::unique_ptr<FamilyService> make_aiapigiare(MockContext& ctx, const std::filesystem::path& spec_dir);
std::unique_ptr<FamilyService> make_apixo(MockContext& ctx, const std::filesystem::path& spec_dir);

}  // namespace tollgate::mock
