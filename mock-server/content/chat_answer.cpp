#include "mock-server/content/chat_answer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "contract/client_schema.h"
#include "contract/value_generator.h"

namespace tollgate::mock {
namespace {

using nlohmann::json;
using contract::ClientSchema;

// The mock's bound on one chat answer's generated text (every choice's
// content and tool arguments): n x a large schema could be hundreds of MB.
constexpr std::size_t kMaxAnswerBytes = 8 << 20;

bool flag(const json& body, const char* key, bool fallback) {
  auto it = body.find(key);
  return it != body.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

int whole(const json& body, const char* key, int fallback) {
  auto it = body.find(key);
  return it != body.end() && it->is_number_integer() ? static_cast<int>(std::clamp<std::int64_t>(it->get<std::int64_t>(), -1, 1000)) : fallback;
}

struct Tool {
  std::string name;
  std::optional<ClientSchema> parameters;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string hex24(std::uint64_t a, std::uint64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx%08llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b & 0xFFFFFFFFull));
  return buf;
}

// Cuts the generation before the first stop sequence (finish "stop"), then
// at max_tokens (finish "length").
void cut(Generation& g, const std::vector<std::string>& stops, std::int64_t max_tokens) {
  if (!stops.empty()) {
    const std::string text = g.text();
    std::size_t at = std::string::npos;
    for (const auto& s : stops)
      if (!s.empty()) at = std::min(at, text.find(s));
    if (at != std::string::npos) {
      std::vector<std::string> kept;
      std::size_t pos = 0;
      for (auto& piece : g.pieces) {
        if (pos >= at) break;
        if (pos + piece.size() > at) piece.resize(at - pos);
        pos += piece.size();
        if (!piece.empty()) kept.push_back(std::move(piece));
      }
      g.pieces = std::move(kept);
      g.finish_reason = "stop";
    }
  }
  if (max_tokens >= 0 && static_cast<std::int64_t>(g.pieces.size()) > max_tokens) {
    g.pieces.resize(static_cast<std::size_t>(max_tokens));
    g.finish_reason = "length";
  }
}

Generation from_text(const std::string& text) {
  Generation g;
  g.pieces = split_tokens(text);
  g.finish_reason = "stop";
  return g;
}

// OpenAI's strict mode (structured outputs): every object lists all its
// properties as required and forbids others. Returns the first breach.
std::string strict_problem(const json& s, const std::string& at) {
  if (s.is_array()) {
    for (std::size_t i = 0; i < s.size(); ++i)
      if (auto p = strict_problem(s[i], at + "/" + std::to_string(i)); !p.empty()) return p;
    return "";
  }
  if (!s.is_object()) return "";
  const bool object = (s.contains("type") && (s["type"] == "object" ||
                                              (s["type"].is_array() && std::find(s["type"].begin(), s["type"].end(),
                                                                                 "object") != s["type"].end()))) ||
                      s.contains("properties");
  if (object && !s.contains("$ref")) {
    if (!s.contains("additionalProperties") || s["additionalProperties"] != false)
      return "at " + (at.empty() ? std::string("/") : at) +
             ": 'additionalProperties' is required to be supplied and to be false";
    if (s.contains("properties") && s["properties"].is_object())
      for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
        const bool listed = s.contains("required") && s["required"].is_array() &&
                            std::find(s["required"].begin(), s["required"].end(), it.key()) != s["required"].end();
        if (!listed)
          return "at " + (at.empty() ? std::string("/") : at) + ": 'required' must list every property; '" +
                 it.key() + "' is missing";
      }
  }
  for (const char* key : {"properties", "$defs", "definitions"})
    if (auto m = s.find(key); m != s.end() && m->is_object())
      for (auto it = m->begin(); it != m->end(); ++it)
        if (auto p = strict_problem(*it, at + "/" + key + "/" + it.key()); !p.empty()) return p;
  for (const char* key : {"items", "anyOf", "allOf", "oneOf"})
    if (auto m = s.find(key); m != s.end())
      if (auto p = strict_problem(*m, at + "/" + key); !p.empty()) return p;
  return "";
}

struct Request {
  std::vector<Tool> tools;
  std::string choice = "none";    // none | auto | required | function
  std::string forced;             // the function a named tool_choice forces
  bool parallel = true;
  std::string format = "text";    // text | json_object | json_schema
  std::optional<ClientSchema> schema;
  std::vector<std::string> stops;
  int n = 1;
  int top_logprobs = -1;
};

std::optional<ChatRefusal> read_request(const json& body, Request& r) {
  if (auto tools = body.find("tools"); tools != body.end() && tools->is_array()) {
    for (std::size_t i = 0; i < tools->size(); ++i) {
      const json& f = (*tools)[i].value("function", json::object());
      Tool t;
      t.name = f.value("name", "");
      if (auto p = f.find("parameters"); p != f.end() && !p->is_null()) {
        try {
          t.parameters = ClientSchema::parse(*p, t.name);
        } catch (const contract::ClientSchemaError& e) {
          return ChatRefusal{"Invalid schema for function '" + t.name + "': " + e.what(),
                             "tools[" + std::to_string(i) + "].function.parameters", "invalid_function_parameters"};
        }
      }
      r.tools.push_back(std::move(t));
    }
    if (!r.tools.empty()) r.choice = "auto";
  }
  if (auto c = body.find("tool_choice"); c != body.end() && !c->is_null()) {
    if (c->is_string()) {
      r.choice = c->get<std::string>();
    } else if (c->is_object()) {
      r.choice = "function";
      r.forced = c->value("function", json::object()).value("name", "");
    }
    if (r.choice != "none" && r.tools.empty())
      return ChatRefusal{"Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                         "tool_choice", ""};
    if (r.choice == "function" &&
        std::none_of(r.tools.begin(), r.tools.end(), [&](const Tool& t) { return t.name == r.forced; }))
      return ChatRefusal{"Invalid value for 'tool_choice': no function named '" + r.forced + "' was specified in 'tools'.",
                         "tool_choice", ""};
  }
  r.parallel = flag(body, "parallel_tool_calls", true);
  if (auto f = body.find("response_format"); f != body.end() && f->is_object()) {
    r.format = f->value("type", "text");
    if (r.format == "json_object" && lower(joined_text(body["messages"])).find("json") == std::string::npos)
      return ChatRefusal{"'messages' must contain the word 'json' in some form, to use 'response_format' of type "
                         "'json_object'.",
                         "messages", ""};
    if (r.format == "json_schema") {
      const json& js = f->value("json_schema", json::object());
      const std::string name = js.value("name", "response");
      const json schema = js.value("schema", json::object());
      try {
        r.schema = ClientSchema::parse(schema, name);
      } catch (const contract::ClientSchemaError& e) {
        return ChatRefusal{"Invalid schema for response_format '" + name + "': " + e.what(),
                           "response_format", "invalid_json_schema"};
      }
      if (flag(js, "strict", false))
        if (std::string p = strict_problem(schema, ""); !p.empty())
          return ChatRefusal{"Invalid schema for response_format '" + name + "': " + p, "response_format",
                             "invalid_json_schema"};
    }
  }
  if (auto s = body.find("stop"); s != body.end()) {
    if (s->is_string()) r.stops.push_back(s->get<std::string>());
    if (s->is_array())
      for (const auto& x : *s)
        if (x.is_string()) r.stops.push_back(x.get<std::string>());
  }
  r.n = std::max(1, whole(body, "n", 1));
  const bool logprobs = flag(body, "logprobs", false);
  if (auto t = body.find("top_logprobs"); t != body.end() && !t->is_null()) {
    if (!logprobs)
      return ChatRefusal{"'logprobs' must be set to true when 'top_logprobs' is used.", "top_logprobs", ""};
    r.top_logprobs = std::max(0, whole(body, "top_logprobs", 0));
  } else if (logprobs) {
    r.top_logprobs = 0;
  }
  return std::nullopt;
}

// The tools this turn calls (none: answer in text).
std::vector<const Tool*> tools_to_call(const json& messages, const Request& r) {
  std::vector<const Tool*> out;
  if (r.choice == "none" || r.tools.empty()) return out;
  if (r.choice == "function") {
    for (const auto& t : r.tools)
      if (t.name == r.forced) out.push_back(&t);
    return out;
  }
  const json& last = messages.back();
  const std::string role = last.value("role", "");
  if (r.choice == "auto" && role != "user") return out;  // after a tool result: the answer
  std::string said;
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if (it->value("role", "") == "user") {
      said = lower(message_text(it->value("content", json())));
      break;
    }
  for (const auto& t : r.tools) {
    std::string spaced = lower(t.name);
    std::replace(spaced.begin(), spaced.end(), '_', ' ');
    if (!t.name.empty() && (said.find(lower(t.name)) != std::string::npos || said.find(spaced) != std::string::npos))
      out.push_back(&t);
  }
  if (out.empty() && r.choice == "required") out.push_back(&r.tools.front());
  if (!r.parallel && out.size() > 1) out.resize(1);
  return out;
}

}  // namespace

json token_logprobs(const std::vector<std::string>& tokens, int top) {
  static constexpr const char* kAlternatives[] = {" a", " the", " it", ".", ",", " and", " of", " to", " in", " is",
                                                  " for", " on", " that", " with", " as", " at", " by", " or", " be",
                                                  " an"};
  json out = json::array();
  for (const auto& t : tokens) {
    const double lp = -static_cast<double>(fnv1a(t) % 2000) / 1000.0;
    const auto bytes = [](const std::string& s) {
      json b = json::array();
      for (unsigned char c : s) b.push_back(c);
      return b;
    };
    json entry = {{"token", t}, {"logprob", lp}, {"bytes", bytes(t)}, {"top_logprobs", json::array()}};
    for (int k = 0; k < top; ++k) {
      if (k == 0) {
        entry["top_logprobs"].push_back({{"token", t}, {"logprob", lp}, {"bytes", bytes(t)}});
        continue;
      }
      const std::string alt = kAlternatives[(fnv1a(t) + static_cast<std::uint64_t>(k)) % std::size(kAlternatives)];
      entry["top_logprobs"].push_back({{"token", alt}, {"logprob", lp - 1.5 * k}, {"bytes", bytes(alt)}});
    }
    out.push_back(std::move(entry));
  }
  return out;
}

ChatPlan plan_chat(const json& body, const std::string& model, std::int64_t max_tokens) {
  ChatPlan plan;
  Request r;
  if (auto refused = read_request(body, r)) {
    plan.refused = std::move(refused);
    return plan;
  }
  const json& messages = body["messages"];
  const std::string prompt = joined_text(messages);
  const std::vector<const Tool*> calls = tools_to_call(messages, r);
  ChatAnswer answer;
  std::size_t bytes = 0;  // of every choice's content and arguments
  const auto too_large = [&] {
    if (bytes <= kMaxAnswerBytes) return false;
    plan.refused = ChatRefusal{"The answer would be larger than " + std::to_string(kMaxAnswerBytes) +
                                   " bytes; ask for fewer choices ('n') or a smaller schema.",
                               "n", ""};
    return true;
  };
  for (int i = 0; i < r.n; ++i) {
    // The first choice answers as a single-choice request does.
    const std::string seed_text = i == 0 ? prompt : prompt + "\n#choice " + std::to_string(i);
    const std::uint64_t seed = fnv1a(seed_text, fnv1a(model));
    ChatChoice c;
    c.top_logprobs = r.top_logprobs;
    try {
      if (!calls.empty()) {
        for (std::size_t k = 0; k < calls.size(); ++k) {
          const Tool& t = *calls[k];
          const std::uint64_t call_seed = fnv1a(t.name, seed + k);
          ToolCall call{"call_" + hex24(call_seed, seed), t.name,
                        t.parameters ? t.parameters->generate(call_seed).dump() : "{}"};
          answer.completion_tokens += 1 + count_tokens(call.name) + count_tokens(call.arguments);
          bytes += call.arguments.size();
          c.tool_calls.push_back(std::move(call));
        }
        if (too_large()) return plan;
        c.finish_reason = "tool_calls";
        answer.choices.push_back(std::move(c));
        continue;
      }
      if (r.format == "json_schema") {
        c.text = from_text(r.schema->generate(seed).dump());
      } else if (r.format == "json_object") {
        c.text = from_text(json{{"answer", generate_text(model, seed_text, -1).text()}}.dump());
      } else {
        c.text = generate_text(model, seed_text, -1);
      }
    } catch (const contract::GenerateError& e) {
      plan.refused = ChatRefusal{std::string("The mock cannot generate a value for this schema: ") + e.what(),
                                 calls.empty() ? "response_format" : "tools", ""};
      return plan;
    }
    cut(c.text, r.stops, max_tokens);
    c.finish_reason = c.text.finish_reason;
    for (const auto& piece : c.text.pieces) bytes += piece.size();
    if (too_large()) return plan;
    answer.completion_tokens += static_cast<std::int64_t>(c.text.pieces.size());
    answer.choices.push_back(std::move(c));
  }
  plan.answer = std::move(answer);
  return plan;
}

}  // namespace tollgate::mock
