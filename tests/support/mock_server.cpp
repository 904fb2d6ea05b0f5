#include "tests/support/mock_server.h"

namespace tollgate::test {

using nlohmann::json;

std::vector<std::string> MockServer::violations(const std::string& family, const std::string& method,
                                                const std::string& target, const ClientResponse& res) {
  static std::map<std::string, std::vector<std::shared_ptr<const contract::Contract>>> contracts;
  if (contracts.empty()) {
    contracts["aiapigiare"] = {contract::Contract::load(spec("aiapigiare-system.yaml")),
                               contract::Contract::load(spec("aiapigiare-media.yaml"))};
    contracts["aimichat"] = {contract::Contract::load(spec("aimichat.yaml"))};
    contracts["aiproxy"] = {contract::Contract::load(spec("aiproxy.yaml"))};
    contracts["apixo"] = {contract::Contract::load(spec("apixo.yaml"))};
  }
  std::string path = target.substr(0, target.find('?'));
  path = path.substr(family.size() + 1);  // strip "/<family>"
  for (const auto& c : contracts.at(family)) {
    const auto m = c->match(method, path);
    if (m.kind != contract::Match::Kind::kFound) continue;
    const std::string content_type = res.headers.count("content-type") ? res.headers.at("content-type") : "";
    std::vector<std::string> out;
    std::vector<contract::Violation> found;
    const bool stream = content_type.starts_with("text/event-stream");
    json body;
    if (!stream) {
      body = json::parse(res.body, nullptr, false);
      if (body.is_discarded()) return {"the body is not JSON: " + res.body.substr(0, 200)};
    }
    found = c->validate_response(*m.operation, res.status, content_type, stream ? nullptr : &body, &res.headers);
    if (stream && found.empty()) {
      const auto* media = contract::find_media_type(m.operation->response_for(res.status)->content, content_type);
      found = contract::validate_event_stream(*c, *media, res.body, contract::Direction::kResponse);
    }
    for (const auto& v : found) out.push_back(v.to_string());
    return out;
  }
  return {"no operation of " + family + " matches " + method + " " + path};
}

}  // namespace tollgate::test
