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

void check_type(const NodeRef& s) {
  NodeRef type = s.child("type");
  if (!type) return;
  if (!type.node->is_string()) fail(type, "'type' must be a single string in OpenAPI 3.0 (use nullable for null)");
  const std::string t = type.node->get<std::string>();
  if (std::find(std::begin(kTypes), std::end(kTypes), t) == std::end(kTypes))
    fail(type, "unknown type '" + t + "': expected string, number, integer, boolean, array or object");
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

void check_keywords(const NodeRef& s) {
  for (const char* key : {"nullable", "readOnly", "writeOnly", "exclusiveMinimum", "exclusiveMaximum", "uniqueItems", "deprecated"})
    expect(s, key, &json::is_boolean, "true or false");
  for (const char* key : {"minimum", "maximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems",
                          "minProperties", "maxProperties"})
    expect(s, key, &json::is_number, "a number");
  for (const char* key : {"format", "pattern", "title", "description"}) expect(s, key, &json::is_string, "a string");
  expect(s, "properties", &json::is_object, "a mapping of property names to schemas");
  expect(s, "items", &json::is_object, "a schema (a mapping)");
  expect(s, "not", &json::is_object, "a schema (a mapping)");
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

void check_schema_shape(const NodeRef& s) {
  if (!s.node->is_object()) fail(s, "a schema must be a mapping" + found(*s.node));
  if (NodeRef ref = s.child("$ref")) {
    if (!ref.node->is_string()) fail(ref, "'$ref' must be a string");
    return;
  }
  check_type(s);
  check_lists(s);
  check_keywords(s);
}

}  // namespace tollgate::contract
