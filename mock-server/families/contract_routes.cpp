#include "mock-server/families/contract_routes.h"

#include <algorithm>

#include "common/printable.h"
#include "common/text.h"

namespace tollgate::mock {

using nlohmann::json;

ContractRoutes::ContractRoutes(std::vector<std::shared_ptr<const contract::Contract>> contracts)
    : contracts_(std::move(contracts)) {}

ContractRoutes::Routed ContractRoutes::route(std::string_view method, std::string_view path) const {
  Routed best;
  for (const auto& c : contracts_) {
    contract::Match m = c->match(method, path);
    if (m.kind == contract::Match::Kind::kFound) return {std::move(m), c.get()};
    if (m.kind == contract::Match::Kind::kWrongMethod && best.match.kind == contract::Match::Kind::kNoPath)
      best = {std::move(m), c.get()};
  }
  return best;
}

std::optional<Problem> ContractRoutes::check_parameters(const Routed& routed, const net::HttpRequest& request) const {
  const contract::Operation& op = *routed.match.operation;
  for (const auto& p : op.parameters) {
    std::optional<std::string> raw;
    if (p.in == "query") {
      raw = request.query_param(p.name);
    } else if (p.in == "path") {
      auto it = routed.match.path_params.find(p.name);
      if (it != routed.match.path_params.end()) raw = it->second;
    } else {
      continue;  // headers are the families' business (auth)
    }
    if (!raw) {
      if (p.required) return Problem{400, p.in + " parameter '" + p.name + "' is required", "invalid_request", p.name};
      continue;
    }
    const auto violations = routed.contract->validate_parameter(p, *raw);
    if (!violations.empty()) return Problem{400, violations.front().message, "invalid_request", p.name};
  }
  return std::nullopt;
}

namespace {

// The first top-level field of `body` that the JSON request schema of `op`
// does not list, as OpenAI refuses it.
std::optional<Problem> unknown_field(const contract::Contract& c, const contract::Operation& op, const json& body) {
  if (!body.is_object()) return std::nullopt;
  for (const auto& media : op.request_body) {
    if (media.content_type != "application/json" || !media.schema) continue;
    const contract::NodeRef schema = c.documents().deref(media.schema);
    const contract::NodeRef props = schema.child("properties");
    if (!props || !props.node->is_object()) return std::nullopt;
    for (auto it = body.begin(); it != body.end(); ++it)
      if (!props.node->contains(it.key()))
        return Problem{400, "Unrecognized request argument supplied: " + it.key(), "unknown_parameter", it.key()};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Problem> ContractRoutes::parse_body(const Routed& routed, const net::HttpRequest& request, json& body,
                                                  bool strict) const {
  const contract::Operation& op = *routed.match.operation;
  if (request.body.empty()) {
    if (op.body_required) return Problem{400, "the request body is required (a JSON object)", "invalid_request", ""};
    body = json::object();
    return std::nullopt;
  }
  // JSON is read as JSON when it says so, says nothing, or says form
  // encoding (what curl -d sends unless told otherwise); a body declared as
  // anything else (text/plain, XML, multipart) is refused, not guessed at.
  const std::string_view declared = request.header("content-type");
  std::string t = ascii_lower(declared.substr(0, declared.find(';')));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.erase(0, 1);
  if (!t.empty() && t != "application/json" && !t.ends_with("+json") && t != "application/x-www-form-urlencoded" &&
      t != "*/*")
    return Problem{400, "the request body is declared as '" + printable(t, 80) + "'; send it as application/json",
                   "invalid_request", ""};
  body = json::parse(request.body, nullptr, false);
  if (body.is_discarded())
    return Problem{400, "the request body is not valid JSON", "invalid_request", ""};
  const auto violations = routed.contract->validate_request(op, "application/json", body);
  if (violations.empty()) return strict ? unknown_field(*routed.contract, op, body) : std::nullopt;
  // Past "matches none of the schemas in anyOf", the closest member's own
  // reason says what to fix ("missing required property 'input'").
  const auto specific = std::find_if(violations.begin(), violations.end(), [](const contract::Violation& x) {
    return !x.message.starts_with("matches none of the ");
  });
  const auto& v = specific != violations.end() ? *specific : violations.front();
  std::string param = param_path(v.instance_pointer);
  const std::string missing = "missing required property '";
  if (v.message.starts_with(missing))
    param = (param.empty() ? "" : param + ".") + v.message.substr(missing.size(), v.message.size() - missing.size() - 1);
  std::string message = param.empty() ? v.message : "'" + param + "': " + v.message;
  return Problem{400, message, "invalid_request", param};
}

std::string allow_list(const contract::Match& match) {
  std::string allow;
  for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
  return allow;
}

std::string param_path(std::string_view pointer) {
  std::string out;
  std::size_t i = 0;
  while (i < pointer.size()) {
    const auto next = pointer.find('/', i + 1);
    std::string token(pointer.substr(i + 1, next == std::string_view::npos ? std::string_view::npos : next - i - 1));
    const bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    if (index)
      out += "[" + token + "]";
    else
      out += (out.empty() ? "" : ".") + token;
    if (next == std::string_view::npos) break;
    i = next;
  }
  return out;
}

}  // namespace tollgate::mock
