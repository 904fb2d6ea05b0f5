#include "harness/probe/shrink.h"

#include <algorithm>
#include <set>

#include "common/text.h"

namespace tollgate::probe {
namespace {

using nlohmann::json;

/// What is wrong with `body` for `k`'s operation, as a set of messages.
std::set<std::string> broken_rules(const contract::Contract& c, const Case& k, const json& body) {
  std::set<std::string> out;
  for (const auto& v : c.validate_request(*k.op, "application/json", body)) out.insert(v.to_string());
  return out;
}

std::string serialized(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::vector<Case> shrink_candidates(const contract::Contract& c, const Case& k, std::size_t limit) {
  std::vector<Case> out;
  if (!k.body || !k.op || k.chain != 0 || k.kind == CaseKind::kMethod) return out;
  const json body = json::parse(*k.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || body.empty()) return out;
  const auto rules = broken_rules(c, k, body);
  std::vector<json> smaller;
  for (auto it = body.begin(); it != body.end(); ++it) {
    json without = body;
    without.erase(it.key());
    smaller.push_back(std::move(without));
    if (it->is_array() && it->size() > 1) {
      json cut = body;
      cut[it.key()] = json::array({it->front()});
      smaller.push_back(std::move(cut));
    }
    if (it->is_object())
      for (auto in = it->begin(); in != it->end(); ++in) {
        json nested = body;
        nested[it.key()].erase(in.key());
        smaller.push_back(std::move(nested));
      }
  }
  for (auto& candidate : smaller) {
    const std::string text = serialized(candidate);
    // As sent: bytes that are not UTF-8 replaced, then judged.
    const json sent = json::parse(text, nullptr, false);
    if (sent.is_discarded() || broken_rules(c, k, sent) != rules) continue;
    Case shrunk = k;
    shrunk.body = text;
    shrunk.asks_stream = sent.contains("stream") && sent["stream"] == true;
    out.push_back(std::move(shrunk));
  }
  std::stable_sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.body->size() < b.body->size(); });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace tollgate::probe
