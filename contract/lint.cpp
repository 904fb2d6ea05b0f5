#include "contract/lint.h"

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

namespace tollgate::contract {
namespace {

using nlohmann::json;

class Linter {
 public:
  explicit Linter(const Contract& c) : c_(c) {}

  LintReport run() {
    report_.operations = c_.operations().size();
    std::set<std::string> ids;
    for (const auto& op : c_.operations()) {
      const std::string name = op.method + " " + op.path;
      if (op.id.empty())
        issue(op.where, name + " has no operationId");
      else if (!ids.insert(op.id).second)
        issue(op.where.child("operationId"), "operationId '" + op.id + "' is used more than once");
      check_path_params(op, name);
      for (const auto& p : op.parameters) check_examples(p.where, p.schema, Direction::kRequest, "parameter '" + p.name + "'");
      for (const auto& m : op.request_body) check_media(m, Direction::kRequest, name + " request body");
      for (const auto& r : op.responses) {
        for (const auto& m : r.content) check_media(m, Direction::kResponse, name + " response " + r.status);
        for (const auto& h : r.headers) {
          const NodeRef header = c_.documents().deref(r.where.child("headers").child(h.name));
          check_examples(header, h.schema, Direction::kResponse, "header '" + h.name + "'");
        }
      }
      for (const auto& cb : op.callbacks)
        for (const auto& m : cb.body) check_media(m, Direction::kRequest, name + " callback " + cb.name);
    }
    c_.for_each_schema([&](const NodeRef& s) {
      for (const char* key : {"example", "default"})
        if (NodeRef ex = s.child(key)) check_value(s, *ex.node, Direction::kResponse, ex, std::string("schema ") + key);
    });
    return std::move(report_);
  }

 private:
  void issue(const NodeRef& at, std::string message) { report_.issues.push_back({at.location(), std::move(message)}); }

  void check_value(const NodeRef& schema, const json& value, Direction direction, const NodeRef& at,
                   const std::string& what) {
    ++report_.examples_checked;
    std::vector<Violation> found;
    if (c_.validator().validate(schema, value, direction, found)) return;
    for (const auto& v : found) issue(at, what + " does not match its schema: " + v.to_string());
  }

  // `example` and `examples.*.value` of a parameter, header or media type.
  void check_examples(const NodeRef& holder, const NodeRef& schema, Direction direction, const std::string& what) {
    if (!holder || !schema) return;
    if (NodeRef ex = holder.child("example")) check_value(schema, *ex.node, direction, ex, what + " example");
    if (NodeRef exs = holder.child("examples"); exs && exs.node->is_object()) {
      for (auto it = exs.node->begin(); it != exs.node->end(); ++it) {
        const NodeRef ex = c_.documents().deref(exs.child(it.key()));
        if (NodeRef value = ex.child("value"))
          check_value(schema, *value.node, direction, value, what + " example '" + it.key() + "'");
      }
    }
  }

  void check_media(const MediaType& m, Direction direction, const std::string& what) {
    if (!m.sse_chunk) return check_examples(m.where, m.schema, direction, what);
    // An event stream: every data payload but the terminator is a chunk.
    std::vector<std::pair<NodeRef, std::string>> streams;
    if (NodeRef ex = m.where.child("example"); ex && ex.node->is_string()) streams.emplace_back(ex, ex.node->get<std::string>());
    if (NodeRef exs = m.where.child("examples"); exs && exs.node->is_object())
      for (auto it = exs.node->begin(); it != exs.node->end(); ++it)
        if (NodeRef v = c_.documents().deref(exs.child(it.key())).child("value"); v && v.node->is_string())
          streams.emplace_back(v, v.node->get<std::string>());
    for (const auto& [at, text] : streams) {
      ++report_.examples_checked;
      for (const auto& v : validate_event_stream(c_, m, text, direction)) issue(at, what + " " + v.to_string());
    }
  }

  void check_path_params(const Operation& op, const std::string& name) {
    std::set<std::string> in_template;
    for (std::size_t open = op.path.find('{'); open != std::string::npos; open = op.path.find('{', open + 1)) {
      const auto close = op.path.find('}', open);
      if (close == std::string::npos) break;
      in_template.insert(op.path.substr(open + 1, close - open - 1));
    }
    for (const auto& p : in_template) {
      const Parameter* declared = op.parameter(p, "path");
      if (!declared)
        issue(op.where, name + " does not declare its path parameter '" + p + "'");
      else if (!declared->required)
        issue(declared->where, "path parameter '" + p + "' must be required: true");
    }
    for (const auto& p : op.parameters)
      if (p.in == "path" && !in_template.count(p.name))
        issue(p.where, "path parameter '" + p.name + "' does not appear in " + op.path);
  }

  const Contract& c_;
  LintReport report_;
};

}  // namespace

std::string join_types(const std::vector<std::string>& types) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) out += (i == 0 ? "" : i + 1 == types.size() ? " or " : ", ") + types[i];
  return out;
}

std::vector<std::string> sse_data_payloads(const std::string& stream) {
  std::vector<std::string> out;
  std::istringstream in(stream);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.starts_with("data:")) continue;
    std::string payload = line.substr(5);
    if (!payload.empty() && payload.front() == ' ') payload.erase(0, 1);
    out.push_back(std::move(payload));
  }
  return out;
}

std::vector<Violation> validate_event_stream(const Contract& contract, const MediaType& media,
                                             const std::string& stream, Direction direction) {
  std::vector<Violation> out;
  const std::string where = media.where ? media.where.uri() + "/x-sse" : "";
  const auto payloads = sse_data_payloads(stream);
  if (payloads.empty()) out.push_back({"", where, "the stream has no data events"});
  std::optional<std::size_t> ended;  ///< the event whose type is in x-sse.end
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const std::string event = "stream event " + std::to_string(i);
    if (!media.sse_done.empty() && payloads[i] == media.sse_done) {
      if (i + 1 != payloads.size()) out.push_back({"", where, event + " follows the terminator " + media.sse_done});
      continue;
    }
    if (ended) {
      out.push_back({"", where, event + " follows the final event " + std::to_string(*ended)});
      break;
    }
    const json chunk = json::parse(payloads[i], nullptr, false);
    if (chunk.is_discarded()) {
      out.push_back({"", where, event + " is not JSON"});
      continue;
    }
    if (!media.sse_end.empty() && chunk.is_object() && chunk.contains("type") && chunk["type"].is_string() &&
        std::find(media.sse_end.begin(), media.sse_end.end(), chunk["type"].get<std::string>()) != media.sse_end.end())
      ended = i;
    std::vector<Violation> found;
    contract.validator().validate(media.sse_chunk, chunk, direction, found);
    for (auto& v : found) {
      v.message = event + ": " + v.message;
      out.push_back(std::move(v));
    }
  }
  if (!media.sse_done.empty() && (payloads.empty() || payloads.back() != media.sse_done))
    out.push_back({"", where, "the stream does not end with data: " + media.sse_done});
  if (!media.sse_end.empty() && !ended && !payloads.empty())
    out.push_back({"", where, "the stream does not end with an event of type " + join_types(media.sse_end)});
  return out;
}

LintReport lint(const Contract& contract) { return Linter(contract).run(); }

}  // namespace tollgate::contract
