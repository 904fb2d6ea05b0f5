#include "contract/operation_reader.h"

#include <algorithm>
#include <cctype>

namespace tollgate::contract::detail {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

void fail(const NodeRef& at, const std::string& message) { throw SourceError(at.location(), message); }

// A mapping's `required`: absent is `otherwise`, anything but a boolean is refused.
bool flag_at(const NodeRef& obj, std::string_view key, bool otherwise) {
  NodeRef n = obj.child(key);
  if (!n) return otherwise;
  if (!n.node->is_boolean()) fail(n, "'" + std::string(key) + "' must be true or false");
  return n.node->get<bool>();
}

// The object a (dereferenced) node must be, or a located refusal.
NodeRef mapping(const NodeRef& raw, const NodeRef& target, const std::string& what) {
  if (!target) fail(raw, "$ref cycle");
  if (!target.node->is_object()) fail(raw, what + " must be a mapping");
  return target;
}

std::string string_at(const NodeRef& obj, std::string_view key) {
  NodeRef n = obj.child(key);
  return n && n.node->is_string() ? n.node->get<std::string>() : std::string();
}

void OperationReader::read_paths(const NodeRef& paths, const NodeRef& root) {
  if (!paths || !paths.node->is_object()) fail(root, "an OpenAPI document needs a 'paths' mapping");
  for (auto pit = paths.node->begin(); pit != paths.node->end(); ++pit) {
    const NodeRef item = docs_.deref(paths.child(pit.key()));
    if (!item || !item.node->is_object()) fail(paths.child(pit.key()), "a path item must be a mapping");
    if (!pit.key().starts_with("/")) fail(item, "path '" + pit.key() + "' must start with '/'");
    std::vector<Parameter> shared;
    if (NodeRef params = item.child("parameters"); params && params.node->is_array())
      for (std::size_t i = 0; i < params.node->size(); ++i) shared.push_back(parameter(params.item(i)));
    for (const char* method : kMethods)
      if (const NodeRef opn = item.child(method)) operations_.push_back(operation(opn, method, pit.key(), shared));
  }
}

Operation OperationReader::operation(const NodeRef& opn, const char* method, const std::string& path,
                                     const std::vector<Parameter>& shared) {
  if (!opn.node->is_object()) fail(opn, "an operation must be a mapping");
  Operation op;
  op.method = upper(method);
  op.path = path;
  op.id = string_at(opn, "operationId");
  op.summary = string_at(opn, "summary");
  op.where = opn;
  op.parameters = shared;
  if (NodeRef params = opn.child("parameters"); params && params.node->is_array()) {
    for (std::size_t i = 0; i < params.node->size(); ++i) {
      Parameter p = parameter(params.item(i));
      std::erase_if(op.parameters, [&](const Parameter& q) { return q.name == p.name && q.in == p.in; });
      op.parameters.push_back(std::move(p));
    }
  }
  if (NodeRef body = opn.child("requestBody")) {
    const NodeRef b = mapping(body, docs_.deref(body), "'requestBody'");
    op.body_required = flag_at(b, "required", false);
    op.request_body = media_types(b.child("content"));
  }
  responses(op, opn);
  callbacks(op, opn);
  return op;
}

Parameter OperationReader::parameter(const NodeRef& raw) {
  const NodeRef p = mapping(raw, docs_.deref(raw), "a parameter");
  Parameter param;
  param.name = string_at(p, "name");
  param.in = string_at(p, "in");
  if (param.name.empty() || param.in.empty()) fail(p, "a parameter needs 'name' and 'in'");
  if (param.in != "path" && param.in != "query" && param.in != "header" && param.in != "cookie")
    fail(p.child("in"), "parameter 'in' must be path, query, header or cookie, not '" + param.in + "'");
  param.required = flag_at(p, "required", false);
  param.schema = p.child("schema");
  param.where = p;
  schema_roots_.push_back(param.schema);
  return param;
}

std::vector<MediaType> OperationReader::media_types(const NodeRef& content) {
  std::vector<MediaType> out;
  if (!content) return out;
  if (!content.node->is_object()) fail(content, "'content' must be a mapping of media types");
  for (auto it = content.node->begin(); it != content.node->end(); ++it) {
    MediaType m;
    m.content_type = it.key();
    m.where = content.child(it.key());
    if (!m.where.node->is_object()) fail(m.where, "a media type must be a mapping");
    m.schema = m.where.child("schema");
    schema_roots_.push_back(m.schema);
    if (NodeRef sse = m.where.child("x-sse")) {
      m.sse_chunk = sse.child("chunk");
      if (!m.sse_chunk) fail(sse, "x-sse needs a 'chunk' schema");
      m.sse_done = string_at(sse, "done");
      if (NodeRef end = sse.child("end")) {
        if (!end.node->is_array() || end.node->empty()) fail(end, "x-sse 'end' must be a non-empty list of event types");
        for (const auto& t : *end.node) {
          if (!t.is_string()) fail(end, "x-sse 'end' must list event types as strings");
          m.sse_end.push_back(t.get<std::string>());
        }
      }
      schema_roots_.push_back(m.sse_chunk);
    }
    out.push_back(std::move(m));
  }
  return out;
}

void OperationReader::responses(Operation& op, const NodeRef& opn) {
  const NodeRef responses = opn.child("responses");
  if (!responses || !responses.node->is_object() || responses.node->empty())
    fail(opn, "operation " + op.method + " " + op.path + " documents no responses");
  for (auto rit = responses.node->begin(); rit != responses.node->end(); ++rit) {
    const NodeRef r = docs_.deref(responses.child(rit.key()));
    if (!r || !r.node->is_object()) fail(responses.child(rit.key()), "a response must be a mapping");
    ResponseSpec spec;
    spec.status = rit.key();
    spec.where = r;
    spec.content = media_types(r.child("content"));
    if (NodeRef headers = r.child("headers"); headers && headers.node->is_object()) {
      for (auto hit = headers.node->begin(); hit != headers.node->end(); ++hit) {
        const NodeRef h = mapping(headers.child(hit.key()), docs_.deref(headers.child(hit.key())), "a response header");
        HeaderSpec header{hit.key(), flag_at(h, "required", false), h.child("schema")};
        schema_roots_.push_back(header.schema);
        spec.headers.push_back(std::move(header));
      }
    }
    op.responses.push_back(std::move(spec));
  }
}

void OperationReader::callbacks(Operation& op, const NodeRef& opn) {
  const NodeRef callbacks = opn.child("callbacks");
  if (!callbacks || !callbacks.node->is_object()) return;
  for (auto cit = callbacks.node->begin(); cit != callbacks.node->end(); ++cit) {
    const NodeRef cb = docs_.deref(callbacks.child(cit.key()));
    if (!cb || !cb.node->is_object()) fail(callbacks.child(cit.key()), "a callback must be a mapping");
    for (auto eit = cb.node->begin(); eit != cb.node->end(); ++eit) {
      const NodeRef cb_item = docs_.deref(cb.child(eit.key()));
      if (!cb_item || !cb_item.node->is_object()) continue;
      for (const char* cb_method : kMethods) {
        const NodeRef cb_op = cb_item.child(cb_method);
        if (!cb_op) continue;
        Callback c{cit.key(), eit.key(), upper(cb_method), {}, cb_op};
        if (NodeRef raw = cb_op.child("requestBody"))
          c.body = media_types(mapping(raw, docs_.deref(raw), "a callback's 'requestBody'").child("content"));
        op.callbacks.push_back(std::move(c));
      }
    }
  }
}

}  // namespace tollgate::contract::detail
