#include "mock-server/mock_app.h"

#include "common/source_error.h"

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

MockApp::MockApp(const std::filesystem::path& spec_dir) {
  for (const auto& family : families()) {
    std::vector<std::shared_ptr<const contract::Contract>> contracts;
    for (const auto& file : family.files) contracts.push_back(contract::Contract::load(spec_dir / file));
    openapi_json_[family.name] = merge_contracts(contracts, family.name + " API").dump(2);
  }
}

HttpResponse MockApp::handle(const HttpRequest& request) const {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (request.path == "/healthz") {
    if (!read) return {405, "application/json", {{"Allow", "GET, HEAD"}}, R"({"error":"method not allowed"})"};
    json body = {{"status", "ok"}, {"families", json::array()}};
    for (const auto& f : families()) body["families"].push_back(f.name);
    return HttpResponse::json(200, body);
  }
  for (const auto& [family, document] : openapi_json_) {
    if (request.path != "/" + family + "/openapi.json") continue;
    if (!read) return {405, "application/json", {{"Allow", "GET, HEAD"}}, R"({"error":"method not allowed"})"};
    return {200, "application/json", {}, document};
  }
  return HttpResponse::json(404, {{"error", "not found"}, {"message", "no route for " + request.path}});
}

}  // namespace tollgate::mock
