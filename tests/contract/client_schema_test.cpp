// Schemas as clients send them (zod's and pydantic's JSON Schema): the
// generator's values are accepted by the validator, and broken or hostile
// schemas are refused with the place named.
#include <gtest/gtest.h>

#include "contract/client_schema.h"
#include "contract/value_generator.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

// What zod-to-json-schema emits for
// z.object({city: z.string(), unit: z.enum(["c","f"]).optional(), days: z.number().int().min(1).max(14)}).
const json kZodWeather = json::parse(R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "city": {"type": "string", "minLength": 2},
    "unit": {"type": "string", "enum": ["c", "f"]},
    "days": {"type": "integer", "minimum": 1, "maximum": 14}
  },
  "required": ["city", "days"],
  "additionalProperties": false
})");

// What pydantic emits for a model with a nested model list, an Optional
// field and a Literal: $defs with $ref, anyOf [T, null], const.
const json kPydanticOrder = json::parse(R"({
  "$defs": {
    "Item": {
      "properties": {
        "sku": {"title": "Sku", "type": "string", "pattern": "^[A-Z]{3}-[0-9]+$"},
        "qty": {"exclusiveMinimum": 0, "title": "Qty", "type": "integer"},
        "price": {"type": "number", "minimum": 0.5, "maximum": 9.5}
      },
      "required": ["sku", "qty", "price"],
      "title": "Item",
      "type": "object",
      "additionalProperties": false
    }
  },
  "properties": {
    "kind": {"const": "order", "title": "Kind", "type": "string"},
    "items": {"items": {"$ref": "#/$defs/Item"}, "minItems": 1, "title": "Items", "type": "array"},
    "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "title": "Note"},
    "when": {"type": ["string", "null"], "format": "date-time"},
    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "minItems": 3}
  },
  "required": ["kind", "items", "note", "when", "tags"],
  "title": "Order",
  "type": "object",
  "additionalProperties": false
})");

TEST(ClientSchema, GeneratedValuesAreAcceptedForZodAndPydanticSchemas) {
  for (const json& raw : {kZodWeather, kPydanticOrder}) {
    const ClientSchema schema = ClientSchema::parse(raw);
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
      const json value = schema.generate(seed);
      EXPECT_EQ(schema.problems(value), "") << value.dump();
    }
  }
}

TEST(ClientSchema, GenerationIsDeterministicAndVariesWithTheSeed) {
  const ClientSchema schema = ClientSchema::parse(kPydanticOrder);
  EXPECT_EQ(schema.generate(7), schema.generate(7));
  bool differs = false;
  for (std::uint64_t seed = 1; seed < 10; ++seed) differs |= schema.generate(seed) != schema.generate(0);
  EXPECT_TRUE(differs);
  const json order = schema.generate(3);
  EXPECT_EQ(order["kind"], "order");
  EXPECT_TRUE(order["note"].is_string());  // the non-null member of anyOf
  EXPECT_GE(order["tags"].size(), 3u);
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(order["items"][0]["sku"].get<std::string>().back())));
}

TEST(ClientSchema, TheValidatorSpeaksTheJsonSchemaDialect) {
  const ClientSchema schema = ClientSchema::parse(kPydanticOrder);
  const json good = schema.generate(1);
  ASSERT_EQ(schema.problems(good), "");
  const auto broken = [&](const char* pointer, json value) {
    json v = good;
    v[json::json_pointer(pointer)] = std::move(value);
    return schema.problems(v);
  };
  EXPECT_NE(broken("/kind", "refund").find("/kind: \"refund\" is not \"order\""), std::string::npos);
  EXPECT_EQ(broken("/note", nullptr), "");  // anyOf [string, null]
  EXPECT_EQ(broken("/when", nullptr), "");  // type [string, null]
  EXPECT_NE(broken("/when", 5).find("/when: expected one of"), std::string::npos);
  EXPECT_NE(broken("/items/0/qty", 0).find("is not greater than 0"), std::string::npos);
  EXPECT_NE(broken("/items/0/sku", "abc").find("pattern"), std::string::npos);
  EXPECT_NE(broken("/extra", 1).find("'extra' is not allowed"), std::string::npos);
  EXPECT_NE(broken("/tags/1", good["tags"][0]).find("duplicate"), std::string::npos);

  const ClientSchema nothing = ClientSchema::parse(json::parse(R"({"properties": {"x": false}})"));
  EXPECT_EQ(nothing.problems(json::object()), "");
  EXPECT_NE(nothing.problems(json{{"x", 1}}).find("the schema is false"), std::string::npos);
}

TEST(ClientSchema, BrokenAndHostileSchemasAreRefusedNamingThePlace) {
  const auto refusal = [](const std::string& text) {
    try {
      ClientSchema::parse(json::parse(text));
    } catch (const ClientSchemaError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal(R"({"properties": {"a": {"type": "strin"}}})"),
            "at /properties/a: unknown type 'strin': expected string, number, integer, boolean, array, object or null");
  EXPECT_EQ(refusal(R"({"items": {"type": ["string", 3]}})"), "at /items: each 'type' must be a string, found integer");
  EXPECT_NE(refusal(R"({"$ref": "#/$defs/Missing"})").find("does not resolve"), std::string::npos);
  // A reference may not leave the schema: no file is ever read.
  EXPECT_NE(refusal(R"({"$ref": "/etc/passwd"})").find("only references inside the schema"), std::string::npos);
  EXPECT_NE(refusal(R"({"$ref": "other.json#/x"})").find("only references inside the schema"), std::string::npos);
  EXPECT_NE(refusal(R"({"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"})").find("cycle"), std::string::npos);
  EXPECT_EQ(refusal(R"("text")"), "a schema must be an object, not string");
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"items":)";
  deep += "{}";
  for (int i = 0; i < 100000; ++i) deep += "}";
  EXPECT_EQ(refusal(deep), "the schema nests deeper than 64 levels");
  EXPECT_NE(refusal(R"({"properties": {"a": {"pattern": "("}}})").find("not a valid regular expression"),
            std::string::npos);
}

TEST(ValueGenerator, RecursiveSchemasEndAndBoundsAreKept) {
  // A tree whose children are optional: generation stops at the depth limit.
  const json tree = json::parse(R"({"$defs": {"node": {"type": "object", "required": ["name"],
      "properties": {"name": {"type": "string", "maxLength": 3}, "children": {"type": "array",
      "items": {"$ref": "#/$defs/node"}}}}}, "$ref": "#/$defs/node"})");
  const ClientSchema schema = ClientSchema::parse(tree);
  const json value = schema.generate(5);
  EXPECT_EQ(schema.problems(value), "");
  EXPECT_LE(value["name"].get<std::string>().size(), 3u);
  // A required self-reference has no finite value: an error, not a hang.
  const ClientSchema endless = ClientSchema::parse(json::parse(
      R"({"$defs": {"n": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/$defs/n"}}}},
          "$ref": "#/$defs/n"})"));
  EXPECT_THROW(endless.generate(0), GenerateError);
  // minItems nested in minItems would be 10^12 values from 120 bytes: refused.
  const ClientSchema huge = ClientSchema::parse(json::parse(R"({"type": "array", "minItems": 1000, "items":
      {"type": "array", "minItems": 1000, "items": {"type": "array", "minItems": 1000, "items":
      {"type": "array", "minItems": 1000, "items": {"type": "string"}}}}})"));
  try {
    huge.generate(0);
    ADD_FAILURE() << "a 10^12-item value was generated";
  } catch (const GenerateError& e) {
    EXPECT_STREQ(e.what(), "the value would hold more than 10000 JSON values");
  }
  const ClientSchema wide = ClientSchema::parse(json::parse(
      R"({"type": "array", "minItems": 1000, "items": {"type": "string", "minLength": 4000}})"));
  EXPECT_THROW(wide.generate(0), GenerateError);
  // Numbers inside their bounds, integers on their multiple.
  const ClientSchema numbers = ClientSchema::parse(json::parse(R"({"type": "object", "properties": {
      "a": {"type": "integer", "minimum": 10, "exclusiveMaximum": 12},
      "b": {"type": "integer", "multipleOf": 7, "minimum": 1},
      "c": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.01},
      "d": {"type": "string", "format": "email"}, "e": {"type": "string", "format": "uuid"},
      "f": {"type": "string", "minLength": 30, "maxLength": 40}}})"));
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const json v = numbers.generate(seed);
    EXPECT_EQ(numbers.problems(v), "") << v.dump();
  }
}

}  // namespace
}  // namespace tollgate::contract
