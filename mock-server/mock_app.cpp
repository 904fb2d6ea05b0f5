#include "mock-server/mock_app.h"

#include <algorithm>

#include "common/source_error.h"
#include "mock-server/fixture.h"

namespace tollgate::mock {

using nlohmann::json;

const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies = {
      {"aiapigiare", {"aiapigiare-system.yaml", "aiapigiare-media.yaml"}},
      {"aimichat", {"aimichat.yaml"}},
      {"aiproxy", {"aiproxy.yaml"}},
      {"apixo", {"apixo.yaml"}},
  };
  return kFamilies;
}

json merge_contracts(const std::vector<std::shared_ptr<const contract::Contract>>& contracts,
                     const std::string& title) {
  if (contracts.size() == 1) return contracts.front()->documents().root().value;
  json merged = contracts.front()->documents().root().value;
  merged["info"]["title"] = title;
  merged["paths"] = json::object();
  merged["components"] = json::object();
  merged.erase("security");
  merged["tags"] = json::array();
  std::string description;
  for (const auto& c : contracts) {
    const json& doc = c->documents().root().value;
    description += "## " + doc["info"].value("title", "") + "\n\n" + doc["info"].value("description", "") + "\n";
    for (const auto& tag : doc.value("tags", json::array())) merged["tags"].push_back(tag);
    for (auto path = doc["paths"].begin(); path != doc["paths"].end(); ++path) {
      if (merged["paths"].contains(path.key()))
        throw SourceError({c->documents().root().path, 0, 0}, "path '" + path.key() + "' is defined twice");
      json item = path.value();
      for (auto op = item.begin(); op != item.end(); ++op)
        if (op.value().is_object() && op.value().contains("responses") && !op.value().contains("security") &&
            doc.contains("security"))
          op.value()["security"] = doc["security"];
      merged["paths"][path.key()] = std::move(item);
    }
    const json components = doc.value("components", json::object());
    for (auto section = components.begin(); section != components.end(); ++section) {
      for (auto comp = section.value().begin(); comp != section.value().end(); ++comp) {
        json& slot = merged["components"][section.key()][comp.key()];
        if (!slot.is_null() && slot != comp.value())
          throw SourceError({c->documents().root().path, 0, 0},
                            "component " + section.key() + "/" + comp.key() + " is defined twice, differently");
        slot = comp.value();
      }
    }
  }
  merged["info"]["description"] = description;
  return merged;
}

MockApp::MockApp(const MockOptions& options, const Clock& clock) : single_family_(options.family) {
  if (!single_family_.empty()) {
    const bool known = std::any_of(families().begin(), families().end(),
                                   [&](const Family& f) { return f.name == single_family_; });
    if (!known) throw SourceError({}, "unknown family '" + single_family_ + "': expected aiapigiare, aimichat, aiproxy or apixo");
  }
  for (const auto& family : families()) {
    std::vector<std::shared_ptr<const contract::Contract>> contracts;
    for (const auto& file : family.files) contracts.push_back(contract::Contract::load(options.spec_dir / file));
    openapi_json_[family.name] = merge_contracts(contracts, family.name + " API").dump(2);
  }
  context_ = std::make_unique<MockContext>(load_fixture(options.fixture.string()), clock, options.latency,
                                           options.max_logs);
  services_["aiapigiare"] = make_aiapigiare(*context_, options.spec_dir);
  services_["aimichat"] = make_aimichat(*context_, options.spec_dir);
  services_["aiproxy"] = make_aiproxy(*context_, options.spec_dir);
  services_["apixo"] = make_apixo(*context_, options.spec_dir);
}

HttpResponse MockApp::handle(const HttpRequest& request) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  auto document = [&](const std::string& family) {
    HttpResponse r;
    r.body = openapi_json_.at(family);
    return r;
  };
  auto not_allowed = [] {
    HttpResponse r = HttpResponse::json(405, {{"error", "method not allowed"}});
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  };
  if (request.path == "/healthz") {
    if (!read) return not_allowed();
    json body = {{"status", "ok"}, {"families", json::array()}};
    for (const auto& f : families()) body["families"].push_back(f.name);
    return HttpResponse::json(200, body);
  }
  std::string_view path = request.path;
  // X-Tollgate-Fault: status=NNN answers NNN in the family's error shape
  // (deterministic failures for conformance tests; see the README).
  auto serve = [&](FamilyService& service, std::string_view rest) {
    const std::string_view fault = request.header("X-Tollgate-Fault");
    if (fault.starts_with("status=")) {
      int status = 0;
      const auto digits = fault.substr(7);
      if (digits.size() == 3 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        status = std::stoi(std::string(digits));
      if (status < 400 || status > 599)
        return HttpResponse::json(400, {{"error", "X-Tollgate-Fault: expected status=NNN with NNN from 400 to 599"}});
      return service.fault(status, "fault injected by X-Tollgate-Fault: status=" + std::to_string(status), rest);
    }
    return service.handle(request, rest);
  };
  if (!single_family_.empty()) {
    if (path == "/openapi.json") return read ? document(single_family_) : not_allowed();
    return serve(*services_.at(single_family_), path);
  }
  for (const auto& [name, service] : services_) {
    const std::string prefix = "/" + name;
    if (!path.starts_with(prefix) || (path.size() > prefix.size() && path[prefix.size()] != '/')) continue;
    const std::string_view rest = path.substr(prefix.size());
    if (rest == "/openapi.json") return read ? document(name) : not_allowed();
    return serve(*service, rest.empty() ? "/" : rest);
  }
  return HttpResponse::json(404, {{"error", "not found"},
                                  {"message", "no route for " + request.path +
                                                  "; the families are under /aiapigiare, /aimichat, /aiproxy and /apixo"}});
}

}  // namespace tollgate::mock
