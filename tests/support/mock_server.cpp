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
      const auto* r = m.operation->response_for(res.status);
      const auto* media = contract::find_media_type(r->content, content_type);
      const auto payloads = contract::sse_data_payloads(res.body);
      if (payloads.empty() || payloads.back() != media->sse_done) out.push_back("the stream does not end with [DONE]");
      for (std::size_t i = 0; i + 1 < payloads.size(); ++i) {
        const json chunk = json::parse(payloads[i], nullptr, false);
        if (chunk.is_discarded()) {
          out.push_back("event " + std::to_string(i) + " is not JSON");
          continue;
        }
        c->validator().validate(media->sse_chunk, chunk, contract::Direction::kResponse, found);
      }
    }
    for (const auto& v : found) out.push_back(v.to_string());
    return out;
  }
  return {"no operation of " + family + " matches " + method + " " + path};
}

}  // namespace tollgate::test
