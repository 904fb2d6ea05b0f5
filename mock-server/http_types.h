#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tollgate::mock {

/// A parsed HTTP request as handlers see it (no Beast types).
struct HttpRequest {
  std::string method;  ///< "GET"
  std::string target;  ///< "/aiproxy/v1/models?provider=openai"
  std::string path;    ///< "/aiproxy/v1/models"
  std::string query;   ///< "provider=openai"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  /// The first header named `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  /// The first query parameter `name`, percent-decoded ('+' is a space).
  std::optional<std::string> query_param(std::string_view name) const;
};

/// A complete response a handler returns.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static HttpResponse json(int status, const nlohmann::json& body);
  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain");
};

}  // namespace tollgate::mock
