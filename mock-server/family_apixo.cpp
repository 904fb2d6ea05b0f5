// Apixo: async image tasks arrive with the task engine; until then every
// documented operation answers 501 in Apixo's {code, message, data} shape.
#include "mock-server/family.h"

namespace tollgate::mock {
namespace {

class Apixo final : public FamilyService {
 public:
  Apixo(const std::filesystem::path& spec_dir) : routes_({contract::Contract::load(spec_dir / "apixo.yaml")}) {}

  HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return HttpResponse::json(status, {{"code", status}, {"message", message}, {"data", nullptr}});
  }

  HttpResponse handle(const HttpRequest& request, std::string_view path) override {
    const auto routed = routes_.route(request.method, path);
    if (routed.match.kind == contract::Match::Kind::kNoPath)
      return HttpResponse::json(404, {{"code", 404}, {"message", "No endpoint " + std::string(path)}, {"data", nullptr}});
    if (routed.match.kind == contract::Match::Kind::kWrongMethod)
      return HttpResponse::json(405, {{"code", 405}, {"message", "Method not allowed"}, {"data", nullptr}});
    return HttpResponse::json(
        501, {{"code", 501}, {"message", "image tasks are not implemented by this mock yet"}, {"data", nullptr}});
  }

 private:
  ContractRoutes routes_;
};

}  // namespace

std::unique_ptr<FamilyService> make_apixo(MockContext&, const std::filesystem::path& spec_dir) {
  return std::make_unique<Apixo>(spec_dir);
}

}  // namespace tollgate::mock
