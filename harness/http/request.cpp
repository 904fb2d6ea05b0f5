#include "harness/http/request.h"

#include "common/percent.h"

namespace tollgate::http {

std::string serialize_request(const Request& request, const scenario::TargetUrl& target) {
  auto has = [&](const char* name) { return find_header(request.headers, name) != nullptr; };
  const bool default_port = target.port == (target.tls ? "443" : "80");
  const bool v6 = target.host.find(':') != std::string::npos;
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\n";
  if (!has("Host"))
    out += "Host: " + (v6 ? "[" + target.host + "]" : target.host) + (default_port ? "" : ":" + target.port) + "\r\n";
  if (!has("User-Agent")) out += "User-Agent: tollgate\r\n";
  for (const auto& [k, v] : request.headers) out += k + ": " + v + "\r\n";
  const bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                          request.method == "PATCH";
  if (!request.body.empty() && !has("Content-Type")) out += "Content-Type: application/json\r\n";
  if (sends_body) out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  out += "\r\n";
  out += request.body;
  return out;
}

Request render_request(const scenario::Plan& plan, const scenario::Step& step, const flow::Lookup& lookup,
                       std::string& missing) {
  Request r;
  r.method = step.method;
  r.target = plan.target.base_path + flow::render(step.path_t, lookup, &missing, true);
  for (const auto& [k, t] : step.query_t)
    r.target += (r.target.find('?') == std::string::npos ? "?" : "&") + percent_encode(k) + "=" +
                percent_encode(flow::render(t, lookup, &missing));
  r.headers = plan.headers;
  for (const auto& [k, t] : step.headers_t) {
    std::erase_if(r.headers, [&](const auto& h) { return iequals(h.first, k); });
    r.headers.emplace_back(k, flow::render(t, lookup, &missing));
  }
  if (step.body_json)
    r.body = flow::render_body(step, lookup, &missing).dump();
  else if (step.body)
    r.body = *step.body;
  r.wire = serialize_request(r, plan.target);
  return r;
}

}  // namespace tollgate::http
