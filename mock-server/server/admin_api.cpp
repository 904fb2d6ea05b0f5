#include "mock-server/server/admin_api.h"

#include <stdexcept>

#include "common/source_error.h"
#include "mock-server/families/family.h"
#include "net/loopback.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;

net::HttpResponse admin_error(int status, const std::string& message) {
  return net::HttpResponse::json(status, {{"error", message}});
}

}  // namespace

net::HttpResponse AdminApi::handle(const net::HttpRequest& request) {
  const bool token_ok = !token_.empty() && bearer_token(request) == token_;
  if (!token_ok && !net::is_loopback_host(request.remote_address))
    return admin_error(403, "the admin API answers loopback clients, or Authorization: Bearer <--admin-token>");
  const std::string route = request.method + " " + request.path;
  if (route == "GET /_mock/counters") return counters();
  if (route == "GET /_mock/callbacks") return callbacks();
  if (route == "GET /_mock/faults") return faults();
  if (route == "PUT /_mock/faults") return put_faults(request);
  if (route == "POST /_mock/reset") return reset();
  if (route == "PUT /_mock/fixture") return put_fixture(request);
  if (route == "POST /_mock/clock") return move_clock(request);
  return admin_error(404, "no admin route " + route +
                              "; there are GET /_mock/counters, GET /_mock/callbacks, GET|PUT /_mock/faults, "
                              "POST /_mock/reset, PUT /_mock/fixture, POST /_mock/clock");
}

net::HttpResponse AdminApi::counters() {
  const auto c = app_.callbacks().counters();
  json body = {{"requests", app_.answers().answers(family_names())},
               {"faults_injected", app_.answers().faults()},
               {"callbacks",
                {{"attempts", c.attempts}, {"delivered", c.delivered}, {"failed_attempts", c.failed_attempts},
                 {"gave_up", c.gave_up}, {"refused", c.refused}}}};
  body["tasks"] = app_.task_counts();
  body["capacity"] = app_.capacity_load();
  body["clock_ms"] = app_.clock().now_ms();
  return net::HttpResponse::json(200, body);
}

net::HttpResponse AdminApi::callbacks() {
  json items = json::array();
  for (const auto& r : app_.callbacks().recent())
    items.push_back({{"task_id", r.task_id}, {"url", r.url}, {"attempts", r.attempts}, {"status", r.last_status},
                     {"error", r.last_error}, {"delivered", r.delivered}, {"gave_up", r.gave_up}});
  return net::HttpResponse::json(200, {{"callbacks", items}});
}

net::HttpResponse AdminApi::faults() { return net::HttpResponse::json(200, {{"faults", app_.fault_rules()}}); }

net::HttpResponse AdminApi::put_faults(const net::HttpRequest& request) {
  const json body = json::parse(request.body, nullptr, false);
  const json rules = body.is_object() && body.contains("faults") ? body["faults"] : body;
  try {
    return net::HttpResponse::json(200, {{"faults", app_.set_fault_rules(rules)}});
  } catch (const std::invalid_argument& e) {
    return admin_error(400, e.what());
  }
}

net::HttpResponse AdminApi::reset() {
  app_.reset();
  return net::HttpResponse::json(200, {{"reset", true}});
}

net::HttpResponse AdminApi::put_fixture(const net::HttpRequest& request) {
  Fixture fixture;
  try {
    fixture = parse_fixture(request.body, "PUT /_mock/fixture");
  } catch (const SourceError& e) {
    return admin_error(400, e.what());
  }
  app_.load(fixture);
  return net::HttpResponse::json(200, {{"loaded", true},
                                       {"accounts", fixture.accounts.size()},
                                       {"keys", fixture.keys.size()},
                                       {"models", fixture.models.size()}});
}

net::HttpResponse AdminApi::move_clock(const net::HttpRequest& request) {
  const json body = json::parse(request.body, nullptr, false);
  if (!app_.clock_movable()) return admin_error(409, "this mock's clock cannot be moved");
  if (!body.is_object() || !body.contains("advance_ms") || !body["advance_ms"].is_number_integer() ||
      body["advance_ms"].get<std::int64_t>() < 0)
    return admin_error(400, "expected {\"advance_ms\": N} with N >= 0");
  app_.advance_clock(std::chrono::milliseconds(body["advance_ms"].get<std::int64_t>()));
  return net::HttpResponse::json(200, {{"clock_ms", app_.clock().now_ms()}});
}

}  // namespace tollgate::mock
