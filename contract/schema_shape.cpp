#include "contract/schema_shape.h"

#include <algorithm>
#include <regex>

#include "common/source_error.h"
#include "contract/schema_values.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

constexpr const char* kTypes[] = {"string", "number", "integer", "boolean", "array", "object"};

[[noreturn]] void fail(const NodeRef& at, const std::string& message) { throw SourceError(at.location(), message); }

std::string found(const json& v) { return ", found " + json_type_name(v); }

void expect(const NodeRef& s, const char* key, bool (json::*is)() const noexcept, const char* what) {
  if (NodeRef v = s.child(key); v && !((*v.node).*is)())
    fail(v, std::string("'") + key + "' must be " + what + found(*v.node));
}

void check_type_name(const NodeRef& at, const json& name, Dialect dialect) {
  const std::string t = name.get<std::string>();
  if (dialect == Dialect::kJsonSchema && t == "null") return;
  if (std::find(std::begin(kTypes), std::end(kTypes), t) == std::end(kTypes))
    fail(at, "unknown type '" + t + "': expected string, number, integer, boolean, array, object" +
                 (dialect == Dialect::kJsonSchema ? " or null" : ""));
}

void check_type(const NodeRef& s, Dialect dialect) {
  NodeRef type = s.child("type");
  if (!type) return;
  if (dialect == Dialect::kJsonSchema && type.node->is_array()) {
    if (type.node->empty()) fail(type, "'type' must not be an empty list");
    for (std::size_t i = 0; i < type.node->size(); ++i) {
      if (!(*type.node)[i].is_string()) fail(type.item(i), "each 'type' must be a string" + found((*type.node)[i]));
      check_type_name(type.item(i), (*type.node)[i], dialect);
    }
    return;
  }
  if (!type.node->is_string())
    fail(type, dialect == Dialect::kJsonSchema ? "'type' must be a string or a list of strings" + found(*type.node)
                                               : "'type' must be a single string in OpenAPI 3.0 (use nullable for null)");
  check_type_name(type, *type.node, dialect);
}

void check_lists(const NodeRef& s) {
  if (NodeRef req = s.child("required"); req && (!req.node->is_array() ||
                                                 !std::all_of(req.node->begin(), req.node->end(),
                                                              [](const json& j) { return j.is_string(); })))
    fail(req, "'required' must be a list of property names");
  for (const char* key : {"allOf", "anyOf", "oneOf"}) {
    NodeRef list = s.child(key);
    if (!list) continue;
    if (!list.node->is_array() || list.node->empty()) fail(list, std::string("'") + key + "' must be a non-empty list of schemas");
  }
  expect(s, "enum", &json::is_array, "a list");
}

void check_keywords(const NodeRef& s, Dialect dialect) {
  for (const char* key : {"nullable", "readOnly", "writeOnly", "uniqueItems", "deprecated"})
    expect(s, key, &json::is_boolean, "true or false");
  for (const char* key : {"exclusiveMinimum", "exclusiveMaximum"}) {
    NodeRef v = s.child(key);
    if (!v || v.node->is_boolean() || (dialect == Dialect::kJsonSchema && v.node->is_number())) continue;
    fail(v, std::string("'") + key + "' must be " + (dialect == Dialect::kJsonSchema ? "a number or " : "") +
                "true or false" + found(*v.node));
  }
  for (const char* key : {"minimum", "maximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems",
                          "minProperties", "maxProperties"})
    expect(s, key, &json::is_number, "a number");
  for (const char* key : {"format", "pattern", "title", "description"}) expect(s, key, &json::is_string, "a string");
  expect(s, "properties", &json::is_object, "a mapping of property names to schemas");
  for (const char* key : {"items", "not"}) {
    NodeRef v = s.child(key);
    if (!v || v.node->is_object() || (dialect == Dialect::kJsonSchema && v.node->is_boolean())) continue;
    fail(v, std::string("'") + key + "' must be a schema (a mapping)" + found(*v.node));
  }
  if (NodeRef extra = s.child("additionalProperties"); extra && !extra.node->is_boolean() && !extra.node->is_object())
    fail(extra, "'additionalProperties' must be true, false or a schema" + found(*extra.node));
  if (NodeRef d = s.child("discriminator")) {
    if (!d.node->is_object()) fail(d, "'discriminator' must be a mapping");
    expect(d, "propertyName", &json::is_string, "a string");
    expect(d, "mapping", &json::is_object, "a mapping of values to references");
  }
  if (NodeRef pattern = s.child("pattern")) {
    try {
      std::regex re(pattern.node->get<std::string>(), std::regex::ECMAScript);
    } catch (const std::exception&) {
      fail(pattern, "'pattern' is not a valid regular expression");
    }
  }
}

}  // namespace

void check_schema_shape(const NodeRef& s, Dialect dialect) {
  if (dialect == Dialect::kJsonSchema && s.node->is_boolean()) return;  // true: anything; false: nothing
  if (!s.node->is_object()) fail(s, "a schema must be a mapping" + found(*s.node));
  if (NodeRef ref = s.child("$ref")) {
    if (!ref.node->is_string()) fail(ref, "'$ref' must be a string");
    return;
  }
  check_type(s, dialect);
  check_lists(s);
  check_keywords(s, dialect);
}

}  // namespace tollgate::contract
