// A scenario's LLM workload: its lengths (prompt_tokens, max_tokens) and
// its conversations file, JSON Lines with one conversation a line, in the
// OpenAI shape ({"messages": [{"role", "content"}, ...]}) or ShareGPT's
// ({"conversations": [{"from": "human"|"gpt"|"system", "value"}, ...]}).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "harness/scenario/loader.h"

namespace tollgate::scenario {

using nlohmann::json;

namespace {

// One line's conversation; an error names what is wrong with it.
Conversation conversation_of(const json& row, std::string& error) {
  Conversation c;
  const bool openai = row.is_object() && row.contains("messages");
  const bool sharegpt = row.is_object() && row.contains("conversations");
  if (!openai && !sharegpt) {
    error = "a conversation is an object with 'messages' (OpenAI) or 'conversations' (ShareGPT)";
    return c;
  }
  const json& list = openai ? row["messages"] : row["conversations"];
  if (!list.is_array()) {
    error = std::string("'") + (openai ? "messages" : "conversations") + "' is not an array";
    return c;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& m = list[i];
    const char* role_key = openai ? "role" : "from";
    const char* text_key = openai ? "content" : "value";
    if (!m.is_object() || !m.contains(role_key) || !m[role_key].is_string() || !m.contains(text_key)) {
      error = "message " + std::to_string(i) + " has no '" + role_key + "' and '" + text_key + "'";
      return c;
    }
    std::string role = m[role_key].get<std::string>();
    if (!openai) role = role == "human" || role == "user" ? "user" : role == "gpt" || role == "assistant" ? "assistant" : role;
    const json& content = m[text_key];
    if (!content.is_string() && !(openai && content.is_array())) {
      error = "message " + std::to_string(i) + ": its " + text_key + " is not text";
      return c;
    }
    if (role == "user") {
      c.turns.push_back({{"role", "user"}, {"content", content}});
    } else if (role == "system" || role == "developer") {
      if (c.turns.empty()) c.prefix.push_back({{"role", role}, {"content", content}});
    } else if (role != "assistant") {
      error = "message " + std::to_string(i) + " has the role '" + role + "' (user, assistant, system or developer)";
      return c;
    }
    // The dataset's assistant answers are not sent: each turn carries the
    // target's own answers to the turns before it.
  }
  if (c.turns.empty()) error = "the conversation has no user message";
  return c;
}

}  // namespace

LengthDist Loader::length_at(const std::string& at, const json& v) const {
  // A number, or its text (from ${ENV}): counts are whole and at least 1,
  // a mean above 0, a standard deviation not below 0.
  auto number = [&](const std::string& where, const json& x, bool whole, double least) {
    double n = 0;
    std::size_t used = 0;
    bool ok = x.is_number();
    if (ok) n = x.get<double>();
    if (x.is_string()) try {
        n = std::stod(x.get<std::string>(), &used);
        ok = used == x.get<std::string>().size();
      } catch (const std::exception&) {
        ok = false;
      }
    if (!ok || !std::isfinite(n) || (whole && n != std::floor(n)) || n < least || (least == 0 && whole && n <= 0) ||
        n > 1e9)
      fail(where, std::string(whole ? "a whole count of tokens, at least 1" : least > 0 ? "a number above 0" : "a number, 0 or more") +
                      (x.is_string() ? ", not '" + x.get<std::string>() + "'" : ""));
    return n;
  };
  LengthDist d;
  if (!v.is_object()) {
    d.min = d.max = static_cast<std::int64_t>(number(at, v, true, 1));
    d.mean = static_cast<double>(d.min);
    return d;
  }
  const std::string dist = v["dist"].get<std::string>();
  auto need = [&](const char* key) {
    if (!v.contains(key)) fail(at, "dist: " + dist + " needs '" + key + "'");
  };
  auto only = [&](std::initializer_list<const char*> keys) {
    for (auto it = v.begin(); it != v.end(); ++it)
      if (it.key() != "dist" && std::find_if(keys.begin(), keys.end(), [&](const char* k) { return it.key() == k; }) == keys.end())
        fail(at + "/" + it.key(), "'" + it.key() + "' does not apply to dist: " + dist);
  };
  auto count = [&](const char* key, std::int64_t otherwise) {
    return v.contains(key) ? static_cast<std::int64_t>(number(at + "/" + key, v[key], true, 1)) : otherwise;
  };
  if (dist == "fixed") {
    need("value");
    only({"value"});
    d.min = d.max = count("value", 1);
    d.mean = static_cast<double>(d.min);
    return d;
  }
  if (dist == "uniform") {
    need("min");
    need("max");
    only({"min", "max"});
    d.kind = LengthDist::Kind::kUniform;
  } else {
    need("mean");
    need("stddev");
    only({"mean", "stddev", "min", "max"});
    d.kind = dist == "normal" ? LengthDist::Kind::kNormal : LengthDist::Kind::kLognormal;
    d.mean = number(at + "/mean", v["mean"], false, 1e-9);
    d.stddev = number(at + "/stddev", v["stddev"], false, 0);
  }
  d.min = count("min", 1);
  d.max = count("max", std::int64_t{1} << 20);
  if (d.max < d.min) fail(at + "/max", "max " + std::to_string(d.max) + " is below min " + std::to_string(d.min));
  if (d.kind == LengthDist::Kind::kUniform) d.mean = (static_cast<double>(d.min) + static_cast<double>(d.max)) / 2;
  return d;
}

Workload Loader::load_workload(const json& w, const std::string& at, std::set<std::string>& vars) const {
  Workload out;
  if (w.contains("prompt_tokens")) {
    out.prompt_tokens = length_at(at + "/prompt_tokens", w["prompt_tokens"]);
    vars.insert("prompt");
    vars.insert("prompt_tokens");
  }
  if (w.contains("max_tokens")) {
    out.max_tokens = length_at(at + "/max_tokens", w["max_tokens"]);
    vars.insert("max_tokens");
  }
  if (w.contains("think_time")) {
    if (!w.contains("conversations")) fail(at + "/think_time", "'think_time' is the pause between a conversation's turns: it needs 'conversations'");
    out.think_time = duration_at(at + "/think_time", w["think_time"]);
  }
  if (w.contains("turns") && !w.contains("conversations"))
    fail(at + "/turns", "'turns' counts a conversation's turns: it needs 'conversations'");
  if (!w.contains("conversations")) return out;
  const std::string text = read_rows_file(w["conversations"], at + "/conversations", out.file, out.random);
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  std::size_t longest = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const json row = json::parse(line, nullptr, false);
    std::string error = row.is_discarded() ? "not JSON (one conversation a line)" : "";
    Conversation conv;
    if (error.empty()) conv = conversation_of(row, error);
    if (!error.empty()) throw SourceError({out.file, line_no, 1}, error);
    longest = std::max(longest, conv.turns.size());
    out.conversations.push_back(std::move(conv));
  }
  if (out.conversations.empty()) fail(at + "/conversations/file", out.file + " has no conversations");
  const int cap = w.value("turns", 64);
  out.turns = static_cast<int>(std::min<std::size_t>(longest, static_cast<std::size_t>(cap)));
  vars.insert("messages");
  vars.insert("turn");
  return out;
}

}  // namespace tollgate::scenario
