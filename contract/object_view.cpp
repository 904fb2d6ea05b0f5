#include "contract/object_view.h"

namespace tollgate::contract {
namespace {

void gather(const DocumentSet& docs, NodeRef s, ObjectView& out, int depth) {
  s = docs.deref(s);
  if (!s || !s.node->is_object() || depth > 16) return;
  if (const NodeRef p = s.child("properties"); p && p.node->is_object())
    for (auto it = p.node->begin(); it != p.node->end(); ++it) out.properties.emplace(it.key(), p.child(it.key()));
  if (const NodeRef r = s.child("required"); r && r.node->is_array())
    for (const auto& x : *r.node)
      if (x.is_string()) out.required.insert(x.get<std::string>());
  if (const NodeRef all = s.child("allOf"); all && all.node->is_array())
    for (std::size_t i = 0; i < all.node->size(); ++i) gather(docs, all.item(i), out, depth + 1);
}

}  // namespace

ObjectView object_view(const DocumentSet& docs, NodeRef schema) {
  ObjectView out;
  gather(docs, schema, out, 0);
  const NodeRef s = schema ? docs.deref(schema) : schema;
  if (const NodeRef ap = s ? s.child("additionalProperties") : NodeRef{}; ap && ap.node->is_boolean())
    out.closed = !ap.node->get<bool>();
  return out;
}

}  // namespace tollgate::contract
