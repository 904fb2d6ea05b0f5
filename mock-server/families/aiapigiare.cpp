// aiapigiare: the System API under /AiApiGiaRe/, the Media API beside it.
#include "mock-server/families/aiapigiare.h"

namespace tollgate::mock {
namespace {

class Aiapigiare final : public FamilyService {
 public:
  Aiapigiare(MockContext& ctx, const std::filesystem::path& spec_dir)
      : system_(make_aiapigiare_system(ctx, spec_dir)), media_(make_aiapigiare_media(ctx, spec_dir)) {}

  net::HttpResponse handle(const net::HttpRequest& request, std::string_view path) override {
    return api(path).handle(request, path);
  }
  net::HttpResponse fault(int status, const std::string& message, std::string_view path) override {
    return api(path).fault(status, message, path);
  }

 private:
  FamilyService& api(std::string_view path) { return path.starts_with("/AiApiGiaRe/") ? *system_ : *media_; }

  std::unique_ptr<FamilyService> system_, media_;
};

}  // namespace

std::unique_ptr<FamilyService> make_aiapigiare(MockContext& ctx, const std::filesystem::path& spec_dir) {
  return std::make_unique<Aiapigiare>(ctx, spec_dir);
}

}  // namespace tollgate::mock
