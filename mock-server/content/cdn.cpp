#include "mock-server/content/cdn.h"

#include <charconv>
#include <cstdio>

#include "mock-server/content/images.h"

namespace tollgate::mock {
namespace {

net::HttpResponse plain(int status, std::string message) { return net::HttpResponse::text(status, std::move(message) + "\n"); }

// Parses "bytes=a-b", "bytes=a-" or "bytes=-n" against `size`. Returns 0
// when there is no usable range header (serve all), 1 with [first, last]
// set, -1 when unsatisfiable. Several ranges are served whole (allowed).
int parse_range(std::string_view header, std::size_t size, std::size_t& first, std::size_t& last) {
  if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) return 0;
  header.remove_prefix(6);
  const auto dash = header.find('-');
  if (dash == std::string_view::npos) return 0;
  auto number = [](std::string_view s, std::size_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  std::size_t a = 0, b = 0;
  const std::string_view left = header.substr(0, dash), right = header.substr(dash + 1);
  if (left.empty()) {  // suffix: the last n bytes
    if (!number(right, b)) return 0;
    if (b == 0 || size == 0) return -1;
    first = size > b ? size - b : 0;
    last = size - 1;
    return 1;
  }
  if (!number(left, a)) return 0;
  if (!right.empty() && (!number(right, b) || b < a)) return 0;
  if (a >= size) return -1;
  first = a;
  last = right.empty() ? size - 1 : std::min(b, size - 1);
  return 1;
}

}  // namespace

std::string Cdn::bytes_of(const std::string& key, const ImageRecipe& recipe) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
  }
  std::string bytes = render_image(recipe);  // outside the lock: rendering takes milliseconds
  std::lock_guard lock(mutex_);
  if (index_.count(key) || bytes.size() > cache_bytes_) return bytes;
  lru_.emplace_front(key, bytes);
  index_[key] = lru_.begin();
  cached_ += bytes.size();
  while (cached_ > cache_bytes_ && !lru_.empty()) {
    cached_ -= lru_.back().second.size();
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
  return bytes;
}

net::HttpResponse Cdn::serve(const net::HttpRequest& request, std::string_view path) {
  if (request.method != "GET" && request.method != "HEAD") {
    net::HttpResponse r = plain(405, "the CDN serves GET and HEAD");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  // /cdn/<task id>/<n>.<ext>
  std::string_view rest = path.substr(5);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return plain(404, "no such file");
  const std::string id(rest.substr(0, slash));
  const std::string_view file = rest.substr(slash + 1);
  const auto dot = file.find('.');
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(file.data(), file.data() + (dot == std::string_view::npos ? file.size() : dot), n);
  const auto task = store_.task(id);
  if (ec != std::errc() || !task || task->state != TaskState::kSucceeded || n >= task->images.size() ||
      task->result_path(n) != path)
    return plain(404, "no such file");
  if (task->expires_ms != 0 && store_.clock().now_ms() >= task->expires_ms)
    return plain(410, "this result link expired (links are valid for 15 days)");
  const ImageRecipe& recipe = task->images[n];
  char tag[40];
  std::snprintf(tag, sizeof tag, "\"%016llx-%dx%d\"",
                static_cast<unsigned long long>(recipe.seed ^ (recipe.format == ImageFormat::kWebp ? 0x5a5a : 0)),
                recipe.width, recipe.height);
  const std::string etag = tag;
  net::HttpResponse r;
  r.content_type = content_type(recipe.format);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Accept-Ranges", "bytes");
  r.headers.emplace_back("Cache-Control", task->expires_ms ? "public, max-age=86400" : "public, max-age=31536000, immutable");
  if (const auto inm = request.header("If-None-Match"); !inm.empty() && (inm == etag || inm == "*")) {
    r.status = 304;
    return r;
  }
  std::string bytes = bytes_of(std::string(path), recipe);
  std::size_t first = 0, last = 0;
  const auto range_header = request.header("Range");
  const auto if_range = request.header("If-Range");
  const int range = (if_range.empty() || if_range == etag) ? parse_range(range_header, bytes.size(), first, last) : 0;
  if (range < 0) {
    r.status = 416;
    r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(bytes.size()));
    return r;
  }
  if (range > 0) {
    r.status = 206;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                                std::to_string(bytes.size()));
    r.body = bytes.substr(first, last - first + 1);
    return r;
  }
  r.body = std::move(bytes);
  return r;
}

}  // namespace tollgate::mock
