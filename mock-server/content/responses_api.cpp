#include "mock-server/content/responses_api.h"

#include <cstdio>

#include "mock-server/content/textgen.h"

namespace tollgate::mock {

using nlohmann::json;

namespace {

const json kNull = nullptr;

const json& field(const json& o, const char* key) {
  if (!o.is_object()) return kNull;
  auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

// The text parts of a Responses message content, as chat content parts.
json chat_content(const json& content) {
  if (content.is_string() || content.is_null()) return content;
  json parts = json::array();
  if (content.is_array())
    for (const auto& p : content) {
      const std::string type = text_of(field(p, "type"));
      if (type == "input_text" || type == "output_text") parts.push_back({{"type", "text"}, {"text", text_of(field(p, "text"))}});
      else if (type == "refusal") parts.push_back({{"type", "refusal"}, {"refusal", text_of(field(p, "refusal"))}});
    }
  return parts;
}

ChatRefusal refusal(std::string message, std::string param) { return {std::move(message), std::move(param), ""}; }

// `input` into chat messages appended to `messages`.
std::optional<ChatRefusal> read_input(const json& input, const ItemLookup& lookup, json& messages) {
  if (input.is_string()) {
    messages.push_back({{"role", "user"}, {"content", input}});
    return std::nullopt;
  }
  if (!input.is_array()) return std::nullopt;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const json& item = input[i];
    const std::string type = item.contains("type") ? text_of(field(item, "type")) : "message";
    if (type == "message") {
      messages.push_back({{"role", text_of(field(item, "role"))}, {"content", chat_content(field(item, "content"))}});
    } else if (type == "function_call") {
      json call = {{"id", text_of(field(item, "call_id"))},
                   {"type", "function"},
                   {"function", {{"name", text_of(field(item, "name"))}, {"arguments", text_of(field(item, "arguments"))}}}};
      // Parallel calls: one assistant message carries them all.
      if (!messages.empty() && messages.back().value("role", "") == "assistant" && messages.back().contains("tool_calls"))
        messages.back()["tool_calls"].push_back(std::move(call));
      else
        messages.push_back({{"role", "assistant"}, {"content", nullptr}, {"tool_calls", json::array({std::move(call)})}});
    } else if (type == "function_call_output") {
      const json& out = field(item, "output");
      messages.push_back({{"role", "tool"},
                          {"tool_call_id", text_of(field(item, "call_id"))},
                          {"content", out.is_string() ? out : json(message_text(chat_content(out)))}});
    } else if (type == "item_reference") {
      const std::string id = text_of(field(item, "id"));
      auto found = lookup ? lookup(id) : std::nullopt;
      if (!found) return refusal("Item with id '" + id + "' not found.", "input[" + std::to_string(i) + "].id");
      if (found->value("role", "") == "assistant" && found->contains("tool_calls") && !messages.empty() &&
          messages.back().value("role", "") == "assistant" && messages.back().contains("tool_calls")) {
        for (const auto& c : (*found)["tool_calls"]) messages.back()["tool_calls"].push_back(c);
      } else {
        messages.push_back(std::move(*found));
      }
    }
    // reasoning items carry nothing the mock reads.
  }
  return std::nullopt;
}

std::string hex16(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool cut_by_length(const ChatAnswer& answer) {
  return !answer.choices.empty() && answer.choices.front().finish_reason == "length";
}

}  // namespace

ResponsesAsChat responses_as_chat(const json& body, const json& history, const ItemLookup& lookup) {
  ResponsesAsChat out;
  json& chat = out.chat;
  chat = json::object();
  chat["model"] = body["model"];
  json messages = json::array();
  if (const json& ins = field(body, "instructions"); ins.is_string() && !ins.get_ref<const std::string&>().empty())
  {
    messages.push_back({{"role", "developer"}, {"content", ins}});
    out.conversation_from = 1;
  }
  if (history.is_array())
    for (const auto& m : history) messages.push_back(m);
  if (auto r = read_input(field(body, "input"), lookup, messages)) {
    out.refused = std::move(r);
    return out;
  }
  if (messages.empty() || messages.back().value("role", "") == "developer") {
    out.refused = refusal("Missing required parameter: 'input'.", "input");
    return out;
  }
  chat["messages"] = std::move(messages);
  if (const json& tools = field(body, "tools"); tools.is_array() && !tools.empty()) {
    json chat_tools = json::array();
    for (std::size_t i = 0; i < tools.size(); ++i) {
      const std::string type = text_of(field(tools[i], "type"));
      if (type != "function") {
        out.refused = refusal("The mock runs function tools only; tool type '" + type + "' is not supported.",
                              "tools[" + std::to_string(i) + "].type");
        return out;
      }
      json fn = {{"name", text_of(field(tools[i], "name"))}};
      for (const char* key : {"description", "parameters", "strict"})
        if (const json& v = field(tools[i], key); !v.is_null()) fn[key] = v;
      chat_tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
    }
    chat["tools"] = std::move(chat_tools);
  }
  if (const json& choice = field(body, "tool_choice"); choice.is_string()) {
    chat["tool_choice"] = choice;
  } else if (choice.is_object()) {
    if (text_of(field(choice, "type")) != "function") {
      out.refused = refusal("The mock runs function tools only; tool_choice type '" + text_of(field(choice, "type")) +
                                "' is not supported.",
                            "tool_choice");
      return out;
    }
    chat["tool_choice"] = {{"type", "function"}, {"function", {{"name", text_of(field(choice, "name"))}}}};
  }
  if (const json& p = field(body, "parallel_tool_calls"); p.is_boolean()) chat["parallel_tool_calls"] = p;
  if (const json& format = field(field(body, "text"), "format"); format.is_object()) {
    const std::string type = text_of(field(format, "type"));
    json rf = {{"type", type}};
    if (type == "json_schema") {
      json js = {{"name", format.value("name", "response")}};
      for (const char* key : {"description", "schema", "strict"})
        if (const json& v = field(format, key); !v.is_null()) js[key] = v;
      rf["json_schema"] = std::move(js);
    }
    chat["response_format"] = std::move(rf);
  }
  if (const json& t = field(body, "top_logprobs"); t.is_number_integer()) {
    chat["logprobs"] = true;
    chat["top_logprobs"] = t;
  } else if (const json& inc = field(body, "include"); inc.is_array()) {
    for (const auto& v : inc)
      if (v == "message.output_text.logprobs") chat["logprobs"] = true;
  }
  if (const json& m = field(body, "max_output_tokens"); m.is_number()) chat["max_completion_tokens"] = m;
  return out;
}

ChatRefusal in_responses_terms(ChatRefusal r) {
  const auto rename = [](std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  };
  for (std::string* s : {&r.message, &r.param}) {
    rename(*s, "'messages'", "'input'");
    rename(*s, "response_format", "text.format");
    rename(*s, ".function.parameters", ".parameters");
  }
  if (r.param == "messages") r.param = "input";
  return r;
}

std::string output_item_id(const std::string& response_id, std::size_t index, bool function_call) {
  return (function_call ? "fc_" : "msg_") + hex16(fnv1a(response_id + "#" + std::to_string(index), 0x5e5ull));
}

json output_items(const std::string& response_id, const ChatAnswer& answer, const std::string& status) {
  json items = json::array();
  if (answer.choices.empty()) return items;
  const ChatChoice& c = answer.choices.front();
  if (!c.tool_calls.empty()) {
    for (std::size_t k = 0; k < c.tool_calls.size(); ++k)
      items.push_back({{"type", "function_call"},
                       {"id", output_item_id(response_id, k, true)},
                       {"call_id", c.tool_calls[k].id},
                       {"name", c.tool_calls[k].name},
                       {"arguments", c.tool_calls[k].arguments},
                       {"status", "completed"}});
    return items;
  }
  json part = {{"type", "output_text"},
               {"text", c.text.text()},
               {"annotations", json::array()},
               {"logprobs", c.top_logprobs < 0 ? json::array() : token_logprobs(c.text.pieces, c.top_logprobs)}};
  items.push_back({{"type", "message"},
                   {"id", output_item_id(response_id, 0, false)},
                   {"status", status},
                   {"role", "assistant"},
                   {"content", json::array({std::move(part)})}});
  return items;
}

json response_object(const ResponseHead& head, const json& request, const ChatAnswer& answer, const Usage& usage) {
  const bool incomplete = cut_by_length(answer);
  const auto echo = [&](const char* key, json fallback) {
    const json& v = field(request, key);
    return v.is_null() ? fallback : v;
  };
  json text = echo("text", json::object());
  if (!text.is_object()) text = json::object();
  if (!text.contains("format")) text["format"] = {{"type", "text"}};
  return {{"id", head.id},
          {"object", "response"},
          {"created_at", head.created_at},
          {"status", incomplete ? "incomplete" : "completed"},
          {"error", nullptr},
          {"incomplete_details", incomplete ? json{{"reason", "max_output_tokens"}} : json()},
          {"instructions", echo("instructions", nullptr)},
          {"max_output_tokens", echo("max_output_tokens", nullptr)},
          {"model", head.model},
          {"provider", head.provider},
          {"output", output_items(head.id, answer, incomplete ? "incomplete" : "completed")},
          {"parallel_tool_calls", echo("parallel_tool_calls", true)},
          {"previous_response_id", echo("previous_response_id", nullptr)},
          {"reasoning", {{"effort", nullptr}, {"summary", nullptr}}},
          {"store", echo("store", true)},
          {"temperature", echo("temperature", 1.0)},
          {"text", std::move(text)},
          {"tool_choice", echo("tool_choice", "auto")},
          {"tools", echo("tools", json::array())},
          {"top_p", echo("top_p", 1.0)},
          {"truncation", echo("truncation", "disabled")},
          {"usage",
           {{"input_tokens", usage.prompt_tokens},
            {"input_tokens_details", {{"cached_tokens", 0}}},
            {"output_tokens", usage.completion_tokens},
            {"output_tokens_details", {{"reasoning_tokens", 0}}},
            {"total_tokens", usage.prompt_tokens + usage.completion_tokens}}},
          {"user", echo("user", nullptr)},
          {"metadata", echo("metadata", json::object())}};
}

json answer_messages(const ChatAnswer& answer) {
  json out = json::array();
  if (answer.choices.empty()) return out;
  const ChatChoice& c = answer.choices.front();
  if (c.tool_calls.empty()) {
    out.push_back({{"role", "assistant"}, {"content", c.text.text()}});
    return out;
  }
  json calls = json::array();
  for (const auto& call : c.tool_calls)
    calls.push_back({{"id", call.id}, {"type", "function"}, {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
  out.push_back({{"role", "assistant"}, {"content", nullptr}, {"tool_calls", std::move(calls)}});
  return out;
}

}  // namespace tollgate::mock
