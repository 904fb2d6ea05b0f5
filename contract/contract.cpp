#include "contract/contract.h"

#include "common/percent.h"
#include "common/text.h"
#include "contract/operation_reader.h"
#include "contract/schema_shape.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>

namespace tollgate::contract {
namespace {

using nlohmann::json;
using detail::fail;
using detail::string_at;
using detail::upper;

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  std::size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

// Coerces a parameter's text to the JSON type its schema asks for; text
// that does not parse stays a string so the validator names the mismatch.
json coerce(const json* schema, std::string_view raw) {
  const std::string type = schema && schema->is_object() ? schema->value("type", "") : "";
  if (type == "integer") {
    std::int64_t i = 0;
    auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), i);
    if (ec == std::errc() && p == raw.data() + raw.size() && !raw.empty()) return i;
  } else if (type == "number") {
    try {
      std::size_t used = 0;
      const double d = std::stod(std::string(raw), &used);
      if (used == raw.size()) return d;
    } catch (const std::exception&) {
    }
  } else if (type == "boolean") {
    if (raw == "true") return true;
    if (raw == "false") return false;
  } else if (type == "array") {
    json items = json::array();
    const json* item_schema = schema->contains("items") ? &(*schema)["items"] : nullptr;
    std::size_t start = 0;
    while (start <= raw.size()) {
      auto comma = raw.find(',', start);
      if (comma == std::string_view::npos) comma = raw.size();
      items.push_back(coerce(item_schema, raw.substr(start, comma - start)));
      start = comma + 1;
    }
    return items;
  }
  return std::string(raw);
}

}  // namespace

void walk_schema(const NodeRef& schema, const std::function<void(const NodeRef&)>& visit) {
  if (!schema) return;
  if (!schema.node->is_object()) {
    // `additionalProperties: false` is not a schema; anything else is, and
    // is refused by check_schema_shape.
    if (!schema.node->is_boolean() || !schema.pointer.ends_with("/additionalProperties")) visit(schema);
    return;
  }
  visit(schema);
  if (schema.node->contains("$ref")) return;
  if (NodeRef props = schema.child("properties"); props && props.node->is_object())
    for (auto it = props.node->begin(); it != props.node->end(); ++it) walk_schema(props.child(it.key()), visit);
  for (const char* key : {"items", "additionalProperties", "not"}) walk_schema(schema.child(key), visit);
  for (const char* key : {"allOf", "anyOf", "oneOf"})
    if (NodeRef list = schema.child(key); list && list.node->is_array())
      for (std::size_t i = 0; i < list.node->size(); ++i) walk_schema(list.item(i), visit);
}

Contract::Contract(DocumentSet docs) : docs_(std::move(docs)) {}

std::shared_ptr<const Contract> Contract::load(const std::filesystem::path& path) {
  return ready(std::shared_ptr<Contract>(new Contract(DocumentSet::load(path))));
}

std::shared_ptr<const Contract> Contract::parse(const std::string& text, const std::string& name,
                                                const std::filesystem::path& base_dir) {
  return ready(std::shared_ptr<Contract>(new Contract(DocumentSet::parse(text, name, base_dir))));
}

std::shared_ptr<const Contract> Contract::ready(std::shared_ptr<Contract> c) {
  try {
    c->read_operations();
    c->check_schemas();
    c->validator_ = std::make_unique<SchemaValidator>(c->docs_);
  } catch (const nlohmann::json::exception& e) {
    // A shape no check above foresaw: still a refusal naming the file,
    // never an abort.
    throw SourceError(c->docs_.root_ref().location(), std::string("a malformed document: ") + e.what());
  }
  return c;
}

void Contract::read_operations() {
  const NodeRef root = docs_.root_ref();
  if (!root.node->is_object()) fail(root, "not an OpenAPI document: expected a mapping at the top level");
  const NodeRef openapi = root.child("openapi");
  if (!openapi || !openapi.node->is_string())
    fail(root, "not an OpenAPI 3.0 document: missing 'openapi: 3.0.x'");
  if (!openapi.node->get<std::string>().starts_with("3.0"))
    fail(openapi, "unsupported OpenAPI version '" + openapi.node->get<std::string>() + "': expected 3.0.x");
  const NodeRef info = root.child("info");
  title_ = string_at(info, "title");
  version_ = string_at(info, "version");
  detail::OperationReader reader(docs_, operations_, schema_roots_);
  reader.read_paths(root.child("paths"), root);
  // Each path template split once (views into operations_, which stay put).
  for (const auto& op : operations_) templates_.push_back(split_path(op.path));
  // Components of every file: schemas referenced only from elsewhere.
  for (const auto& doc : docs_.documents()) {
    const NodeRef schemas = NodeRef{doc.get(), &doc->value, ""}.child("components").child("schemas");
    if (schemas && schemas.node->is_object())
      for (auto it = schemas.node->begin(); it != schemas.node->end(); ++it) schema_roots_.push_back(schemas.child(it.key()));
  }
}

void Contract::check_schemas() const {
  for_each_schema([&](const NodeRef& s) {
    check_schema_shape(s);
    if (s.node->contains("$ref") && !docs_.deref(s)) fail(s.child("$ref"), "$ref cycle: the reference never reaches a schema");
  });
}

const Operation* Contract::find(std::string_view operation_id) const {
  for (const auto& op : operations_)
    if (op.id == operation_id) return &op;
  return nullptr;
}

Match Contract::match(std::string_view method, std::string_view path) const {
  const auto segments = split_path(path);
  const std::string want = upper(method);
  Match best;
  int best_score = -1;
  int best_path_score = -1;
  for (std::size_t k = 0; k < operations_.size(); ++k) {
    const Operation& op = operations_[k];
    const auto& tmpl = templates_[k];
    if (tmpl.size() != segments.size()) continue;
    int score = 0;
    bool ok = true;
    std::map<std::string, std::string> params;
    for (std::size_t i = 0; i < tmpl.size() && ok; ++i) {
      const auto t = tmpl[i];
      const auto open = t.find('{');
      const auto close = t.find('}');
      if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        ok = t == segments[i];
        score += 2;
        continue;
      }
      // A templated segment: literal prefix, {name}, literal suffix.
      const auto prefix = t.substr(0, open);
      const auto suffix = t.substr(close + 1);
      const auto s = segments[i];
      ok = s.size() > prefix.size() + suffix.size() && s.starts_with(prefix) && s.ends_with(suffix);
      if (ok)
        params[std::string(t.substr(open + 1, close - open - 1))] =
            percent_decode(s.substr(prefix.size(), s.size() - prefix.size() - suffix.size()));
      score += prefix.empty() && suffix.empty() ? 0 : 1;
    }
    if (!ok) continue;
    if (op.method == want) {
      if (score > best_score) {
        best_score = score;
        best.kind = Match::Kind::kFound;
        best.operation = &op;
        best.path_params = std::move(params);
      }
    } else if (best.kind != Match::Kind::kFound) {
      if (score > best_path_score) {
        best_path_score = score;
        best.allowed_methods.clear();
      }
      if (score == best_path_score) best.allowed_methods.push_back(op.method);
    }
  }
  if (best.kind == Match::Kind::kFound) {
    best.allowed_methods.clear();
    return best;
  }
  best.kind = best.allowed_methods.empty() ? Match::Kind::kNoPath : Match::Kind::kWrongMethod;
  return best;
}

std::vector<Violation> Contract::validate_request(const Operation& op, std::string_view content_type,
                                                  const json& body) const {
  std::vector<Violation> out;
  if (op.request_body.empty()) return out;
  const MediaType* m = find_media_type(op.request_body, content_type);
  if (!m) {
    std::string documented;
    for (const auto& mt : op.request_body) documented += (documented.empty() ? "" : ", ") + mt.content_type;
    out.push_back({"", op.where.uri() + "/requestBody",
                   "request content type '" + std::string(content_type) + "' is not documented for " + op.id +
                       " (documented: " + documented + ")"});
    return out;
  }
  if (m->schema) validator_->validate(m->schema, body, Direction::kRequest, out);
  return out;
}

std::vector<Violation> Contract::validate_parameter(const Parameter& param, std::string_view raw) const {
  std::vector<Violation> out;
  if (!param.schema) return out;
  const NodeRef schema = docs_.deref(param.schema);
  const json value = coerce(schema ? schema.node : nullptr, raw);
  validator_->validate(param.schema, value, Direction::kRequest, out);
  for (auto& v : out) v.message = param.in + " parameter '" + param.name + "': " + v.message;
  return out;
}

std::vector<Violation> Contract::validate_response(const Operation& op, int status, std::string_view content_type,
                                                   const json* body,
                                                   const std::map<std::string, std::string>* headers) const {
  std::vector<Violation> out;
  const ResponseSpec* r = op.response_for(status);
  if (!r) {
    std::string documented;
    for (const auto& spec : op.responses) documented += (documented.empty() ? "" : ", ") + spec.status;
    out.push_back({"", op.where.uri() + "/responses",
                   "status " + std::to_string(status) + " is not documented for " + op.id + " (documented: " +
                       documented + ")"});
    return out;
  }
  if (headers) {
    for (const auto& h : r->headers) {
      auto it = headers->find(ascii_lower(h.name));
      if (it == headers->end()) {
        if (h.required)
          out.push_back({"", r->where.uri() + "/headers/" + escape_pointer_token(h.name),
                         "missing required header '" + h.name + "' on status " + r->status + " of " + op.id});
        continue;
      }
      if (!h.schema) continue;
      const NodeRef schema = docs_.deref(h.schema);
      std::vector<Violation> found;
      validator_->validate(h.schema, coerce(schema ? schema.node : nullptr, it->second), Direction::kResponse, found);
      for (auto& v : found) {
        v.message = "header '" + h.name + "': " + v.message;
        out.push_back(std::move(v));
      }
    }
  }
  if (r->content.empty()) return out;
  const MediaType* m = find_media_type(r->content, content_type);
  if (!m) {
    std::string documented;
    for (const auto& mt : r->content) documented += (documented.empty() ? "" : ", ") + mt.content_type;
    out.push_back({"", r->where.uri() + "/content",
                   "content type '" + std::string(content_type) + "' is not documented for status " + r->status +
                       " of " + op.id + " (documented: " + documented + ")"});
    return out;
  }
  if (m->schema && body) validator_->validate(m->schema, *body, Direction::kResponse, out);
  return out;
}

}  // namespace tollgate::contract
