#pragma once
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/http_types.h"
#include "mock-server/store/store.h"

namespace tollgate::mock {

/// Serves task results under /cdn/<task>/<n>.<ext>: real PNG or WebP files
/// rendered from their recipe, with Content-Type, Content-Length, a strong
/// ETag (If-None-Match: 304), single byte ranges (206, 416) and HEAD.
/// Apixo links expire (410 Gone); aiapigiare links never do.
class Cdn {
 public:
  explicit Cdn(Store& store, std::size_t cache_bytes = 64u << 20) : store_(store), cache_bytes_(cache_bytes) {}
  net::HttpResponse serve(const net::HttpRequest& request, std::string_view path);

 private:
  std::string bytes_of(const std::string& key, const ImageRecipe& recipe);

  Store& store_;
  const std::size_t cache_bytes_;
  std::mutex mutex_;
  std::list<std::pair<std::string, std::string>> lru_;  ///< newest first
  std::unordered_map<std::string, std::list<std::pair<std::string, std::string>>::iterator> index_;
  std::size_t cached_ = 0;
};

}  // namespace tollgate::mock
