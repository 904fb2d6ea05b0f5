#pragma once
// aiapigiare: two APIs under one prefix, each its own dialect of the
// pipeline: the System API under /AiApiGiaRe/ (access keys, the
// {success, message} envelope) and the Media API (API keys, async image
// tasks, {error: {code, message}}).
#include <filesystem>
#include <memory>
#include <string>

#include "mock-server/families/pipeline.h"

namespace tollgate::mock {

/// What both aiapigiare APIs share: their 404 and 405 words, and faults in
/// the API's own error shape.
class AiapigiareApi : public Pipeline {
 public:
  net::HttpResponse fault(int status, const std::string& message, std::string_view) override {
    return error(status, message);
  }

 protected:
  using Pipeline::Pipeline;
  /// An error in this API's shape.
  virtual net::HttpResponse error(int status, const std::string& message) const = 0;

  net::HttpResponse no_route(const net::HttpRequest& request, std::string_view path) const override {
    return error(404, "No endpoint " + request.method + " " + std::string(path));
  }
  net::HttpResponse wrong_method(const net::HttpRequest& request, std::string_view,
                                 const std::string& allow) const override {
    return error(405, "Method " + request.method + " is not allowed here; use " + allow);
  }
};

/// The System API: account, keys, quota, tasks, logs, catalog.
std::unique_ptr<FamilyService> make_aiapigiare_system(MockContext& ctx, const std::filesystem::path& spec_dir);
/// The Media API: async image tasks with auto-route, results on the CDN.
std::unique_ptr<FamilyService> make_aiapigiare_media(MockContext& ctx, const std::filesystem::path& spec_dir);

}  // namespace tollgate::mock
