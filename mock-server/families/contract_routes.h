#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/contract.h"
#include "net/http_types.h"

namespace tollgate::mock {

/// A bad request in words: what each family turns into its error body.
struct Problem {
  int status = 400;
  std::string message;
  std::string code;   ///< machine code where the family has one ("model_not_found")
  std::string param;  ///< the offending field, "" when none
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
  /// With `strict`, a top-level body field the request schema does not
  /// list is refused (`unknown_parameter`, naming it).
  std::optional<Problem> parse_body(const Routed& routed, const net::HttpRequest& request, nlohmann::json& body,
                                    bool strict = false) const;

 private:
  std::vector<std::shared_ptr<const contract::Contract>> contracts_;
};

/// "GET, POST": the methods a wrong-method match allows, for `Allow`.
std::string allow_list(const contract::Match& match);

/// "/messages/0/role" -> "messages[0].role"
std::string param_path(std::string_view pointer);

}  // namespace tollgate::mock
