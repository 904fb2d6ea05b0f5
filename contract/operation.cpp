#include "contract/operation.h"

#include "common/text.h"

namespace tollgate::contract {
namespace {

// "application/json; charset=utf-8" -> "application/json"
std::string media_essence(std::string_view ct) {
  if (auto semi = ct.find(';'); semi != std::string_view::npos) ct = ct.substr(0, semi);
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  while (!ct.empty() && ct.front() == ' ') ct.remove_prefix(1);
  return ascii_lower(ct);
}

}  // namespace

const ResponseSpec* Operation::response_for(int status) const {
  const std::string exact = std::to_string(status);
  const std::string range = std::to_string(status / 100) + "XX";
  const ResponseSpec* fallback = nullptr;
  const ResponseSpec* ranged = nullptr;
  for (const auto& r : responses) {
    if (r.status == exact) return &r;
    if (iequals(r.status, range)) ranged = &r;
    if (r.status == "default") fallback = &r;
  }
  return ranged ? ranged : fallback;
}

const Parameter* Operation::parameter(std::string_view name, std::string_view in) const {
  for (const auto& p : parameters)
    if (p.name == name && p.in == in) return &p;
  return nullptr;
}

const MediaType* find_media_type(const std::vector<MediaType>& content, std::string_view content_type) {
  const std::string want = media_essence(content_type);
  const std::string family = want.substr(0, want.find('/')) + "/*";
  const MediaType* wildcard = nullptr;
  const MediaType* any = nullptr;
  for (const auto& m : content) {
    const std::string have = media_essence(m.content_type);
    if (have == want) return &m;
    if (have == family) wildcard = &m;
    if (have == "*/*") any = &m;
  }
  return wildcard ? wildcard : any;
}

}  // namespace tollgate::contract
