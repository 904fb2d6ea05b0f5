// contract::diff: pairs of contract versions, each change with the class a
// client written against the old version would give it.
#include "contract/diff.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/paths.h"

namespace tollgate::contract {
namespace {

namespace fs = std::filesystem;

// One operation with a path parameter, a bounded query parameter, a
// request body and a response body by $ref, and a second status.
const std::string kBase = R"(openapi: 3.0.3
info: {title: Items, version: "1"}
paths:
  /items/{id}:
    post:
      operationId: updateItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ItemIn'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
        '404': {description: missing}
components:
  schemas:
    ItemIn:
      type: object
      required: [name]
      properties:
        name: {type: string, maxLength: 64}
        color: {type: string, enum: [red, green]}
        size: {type: integer}
        note: {type: string}
    Item:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
        name: {type: string}
        status: {type: string, enum: [active, archived]}
        count: {type: integer}
)";

std::shared_ptr<const Contract> parse(const std::string& text) { return Contract::parse(text, "items.yaml"); }

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the base has no '" << from << "'";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct Pair {
  const char* name;
  const char* from;  // in the base; the new version has `to` there
  const char* to;
  bool breaking;
  const char* what;  // in the change reported (the breaking one, when there are two)
  std::size_t changes = 1;  // 2: what replaced the old thing is reported too, as non-breaking
};

class OneChange : public ::testing::TestWithParam<Pair> {};

TEST_P(OneChange, IsClassedAsAClientWouldSeeIt) {
  const Pair& p = GetParam();
  const auto older = parse(kBase);
  const auto newer = parse(with(kBase, p.from, p.to));
  const DiffReport r = diff(*older, *newer);
  ASSERT_EQ(r.changes.size(), p.changes) << [&] {
    std::string all;
    for (const auto& c : r.changes) all += c.where + ": " + c.what + "\n";
    return all;
  }();
  const Change& c = r.changes[0];
  EXPECT_EQ(c.breaking, p.breaking) << c.where << ": " << c.what;
  EXPECT_NE(c.what.find(p.what), std::string::npos) << c.where << ": " << c.what;
  EXPECT_EQ(c.operation, "POST " + std::string(p.name == std::string("path_parameter_renamed") ? "/items/{item_id}" : "/items/{id}"));
  EXPECT_FALSE(c.at.file.empty()) << "a change names where it is";
  EXPECT_EQ(r.breaking(), p.breaking ? 1u : 0u);
  if (p.changes == 2) EXPECT_FALSE(r.changes[1].breaking) << r.changes[1].where << ": " << r.changes[1].what;
}

const Pair kPairs[] = {
    // Requests: what a client sends must still be accepted.
    {"required_field_added", "required: [name]\n", "required: [name, size]\n", true, "now required"},
    {"new_required_property", "        note: {type: string}\n    Item:",
     "        note: {type: string}\n        owner: {type: string}\n    Item:", false, "optional property added"},
    {"new_required_property_for_real", "required: [name]\n      properties:\n",
     "required: [name, owner]\n      properties:\n        owner: {type: string}\n", true, "new required property"},
    {"request_enum_narrowed", "enum: [red, green]", "enum: [red]", true, "\"green\" removed"},
    {"request_enum_widened", "enum: [red, green]", "enum: [red, green, blue]", false, "\"blue\" added"},
    {"request_max_length_narrowed", "maxLength: 64", "maxLength: 32", true, "maxLength 64 -> 32"},
    {"request_max_length_widened", "maxLength: 64", "maxLength: 128", false, "maxLength 64 -> 128"},
    {"query_range_narrowed", "maximum: 100", "maximum: 50", true, "maximum 100 -> 50"},
    {"query_minimum_removed", "minimum: 1, ", "", false, "minimum 1 removed"},
    {"request_type_changed", "size: {type: integer}", "size: {type: string}", true, "from integer to string"},
    {"request_integer_to_number", "size: {type: integer}", "size: {type: number}", false, "number now allowed"},
    {"request_nullable_added", "note: {type: string}", "note: {type: string, nullable: true}", false, "now nullable"},
    {"request_pattern_added", "note: {type: string}", "note: {type: string, pattern: '^[a-z]+$'}", true, "pattern"},
    {"request_optional_property_removed", "        note: {type: string}\n", "", false, "may ignore it"},
    {"request_closed", "      required: [name]\n      properties:\n        name",
     "      required: [name]\n      additionalProperties: false\n      properties:\n        name", true,
     "additionalProperties now false"},
    {"body_no_longer_required", "        required: true\n        content:", "        required: false\n        content:", false,
     "no longer required"},
    {"request_media_type_removed", "          application/json:\n            schema: {$ref: '#/components/schemas/ItemIn'}",
     "          text/plain:\n            schema: {type: string}", true, "media type removed", 2},
    {"new_required_query_parameter", "        - {name: limit, in: query,",
     "        - {name: tenant, in: query, required: true, schema: {type: string}}\n        - {name: limit, in: query,", true,
     "new required parameter"},
    {"new_optional_header_parameter", "        - {name: limit, in: query,",
     "        - {name: X-Trace, in: header, schema: {type: string}}\n        - {name: limit, in: query,", false,
     "optional parameter added"},
    {"query_parameter_now_required", "{name: limit, in: query, schema", "{name: limit, in: query, required: true, schema",
     true, "now required"},
    // Responses: what a client reads must still be what it was promised.
    {"response_enum_value_added", "enum: [active, archived]", "enum: [active, archived, deleted]", true,
     "\"deleted\" added"},
    {"response_enum_value_removed", "enum: [active, archived]", "enum: [active]", false, "\"archived\" removed"},
    {"response_field_removed", "        count: {type: integer}\n", "", true, "property removed"},
    {"response_field_added", "        count: {type: integer}\n", "        count: {type: integer}\n        tags: {type: array}\n",
     false, "optional property added"},
    {"response_field_may_be_absent", "required: [id, name]", "required: [id]", true, "may be absent"},
    {"response_field_always_present", "required: [id, name]", "required: [id, name, status]", false, "now required"},
    {"response_nullable_added", "name: {type: string}\n        status", "name: {type: string, nullable: true}\n        status",
     true, "now nullable"},
    {"response_number_widened", "count: {type: integer}", "count: {type: number}", true, "number now allowed"},
    {"status_removed", "        '404': {description: missing}\n", "", true, "status removed"},
    {"status_added", "        '404': {description: missing}\n",
     "        '404': {description: missing}\n        '409': {description: conflict}\n", false, "status added"},
    // The operation itself.
    {"path_parameter_renamed", "  /items/{id}:\n    post:\n      operationId: updateItem\n      parameters:\n        - {name: id,",
     "  /items/{item_id}:\n    post:\n      operationId: updateItem\n      parameters:\n        - {name: item_id,", false,
     "renamed to 'item_id'"},
    {"operation_id_changed", "operationId: updateItem", "operationId: putItem", false, "'updateItem' -> 'putItem'"},
    {"credentials_required", "paths:\n", "security: [{bearer: []}]\npaths:\n", true, "none (anonymous) no longer accepted", 2},
};

INSTANTIATE_TEST_SUITE_P(Diff, OneChange, ::testing::ValuesIn(kPairs),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Diff, TheSameContractHasNoChange) {
  for (const char* file : test::kContracts) {
    const auto c = Contract::load(test::spec(file));
    EXPECT_TRUE(diff(*c, *c).changes.empty()) << file;
  }
}

TEST(Diff, ARemovedOperationIsBreakingAndANewOneIsNot) {
  const auto older = parse(kBase);
  const auto newer = parse(with(kBase, "    post:\n", "    put:\n"));
  const DiffReport r = diff(*older, *newer);
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_TRUE(r.changes[0].breaking);  // breaking ones first
  EXPECT_EQ(r.changes[0].operation, "POST /items/{id}");
  EXPECT_EQ(r.changes[0].what, "operation removed");
  EXPECT_FALSE(r.changes[1].breaking);
  EXPECT_EQ(r.changes[1].what, "operation added");
}

// Compared after $refs are resolved: a component renamed, or moved to a
// file of its own, is the same schema.
TEST(Diff, ARenamedOrMovedComponentIsNoChange) {
  const auto older = parse(kBase);
  std::string renamed = with(kBase, "$ref: '#/components/schemas/Item'}", "$ref: '#/components/schemas/ItemOut'}");
  renamed = with(renamed, "    Item:\n", "    ItemOut:\n");
  EXPECT_TRUE(diff(*older, *parse(renamed)).changes.empty());

  const fs::path dir = fs::temp_directory_path() / ("tollgate-diff-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "item.yaml") << "type: object\nrequired: [id, name]\nproperties:\n  id: {type: string}\n"
                                      "  name: {type: string}\n  status: {type: string, enum: [active, archived]}\n"
                                      "  count: {type: integer}\n";
  const std::string moved = with(kBase, "$ref: '#/components/schemas/Item'}", "$ref: 'item.yaml'}");
  const auto newer = Contract::parse(moved, "items.yaml", dir);
  EXPECT_TRUE(diff(*older, *newer).changes.empty());
  // ...and a change inside the moved file is seen there.
  std::ofstream(dir / "item.yaml", std::ios::app) << "  extra: {type: string}\n";
  const auto changed = Contract::parse(moved, "items.yaml", dir);
  const DiffReport r = diff(*older, *changed);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].where, "response 200 application/json: extra");
  EXPECT_NE(r.changes[0].at.file.find("item.yaml"), std::string::npos);
  fs::remove_all(dir);
}

// An object split into allOf parts is the same object: its properties are
// compared wherever they are written.
TEST(Diff, AnObjectSplitIntoAllOfPartsIsTheSameObject) {
  const auto older = parse(kBase);
  const std::string split = with(kBase, R"(    Item:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
)", R"(    Item:
      allOf:
        - {$ref: '#/components/schemas/Named'}
        - type: object
          required: [id]
          properties:
            id: {type: string}
            status: {type: string, enum: [active, archived]}
            count: {type: integer}
    Named:
      type: object
      required: [name]
      properties:
)");
  const DiffReport same = diff(*older, *parse(split));
  EXPECT_TRUE(same.changes.empty()) << same.changes.size() << " changes, the first: " << same.changes[0].where << ": "
                                    << same.changes[0].what;
  const DiffReport lost = diff(*older, *parse(with(split, "          required: [id]\n", "")));
  ASSERT_EQ(lost.changes.size(), 1u);
  EXPECT_EQ(lost.changes[0].where, "response 200 application/json: id");
  EXPECT_TRUE(lost.changes[0].breaking);
}

TEST(Diff, NamesWhereInANestedSchemaTheChangeIs) {
  const auto older = parse(with(kBase, "        color: {type: string, enum: [red, green]}",
                                "        color: {type: string, enum: [red, green]}\n        parts:\n          type: array\n"
                                "          items: {type: object, properties: {kind: {type: string, enum: [a, b]}}}"));
  const auto newer = parse(with(kBase, "        color: {type: string, enum: [red, green]}",
                                "        color: {type: string, enum: [red, green]}\n        parts:\n          type: array\n"
                                "          items: {type: object, properties: {kind: {type: string, enum: [a]}}}"));
  const DiffReport r = diff(*older, *newer);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].where, "request body application/json: parts[].kind");
  EXPECT_TRUE(r.changes[0].breaking);
}

// A recursive schema (a tree of nodes) is followed once, not forever, and a
// change deep in it is still found.
TEST(Diff, RecursiveSchemasEnd) {
  const std::string tree = R"(openapi: 3.0.3
info: {title: Tree, version: "1"}
paths:
  /tree:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      properties:
        label: {type: string, maxLength: 10}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
)";
  const auto older = parse(tree);
  const auto newer = parse(with(tree, "maxLength: 10", "maxLength: 20"));
  const DiffReport r = diff(*older, *newer);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].where, "response 200 application/json: label");
  EXPECT_TRUE(r.changes[0].breaking);  // a client may now get longer labels than promised
}

TEST(Diff, OneOfMembersAreMatchedByTheComponentTheyName) {
  const std::string base = R"(openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema:
              oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      responses:
        '200': {description: ok}
components:
  schemas:
    Cat: {type: object, properties: {meow: {type: boolean}}}
    Dog: {type: object, properties: {bark: {type: boolean}}}
    Fox: {type: object, properties: {yip: {type: boolean}}}
)";
  const auto older = parse(base);
  const DiffReport dropped = diff(*older, *parse(with(base, "oneOf: [{$ref: '#/components/schemas/Cat'}, ", "oneOf: [")));
  ASSERT_EQ(dropped.changes.size(), 1u);
  EXPECT_TRUE(dropped.changes[0].breaking);
  EXPECT_NE(dropped.changes[0].what.find("oneOf member Cat removed"), std::string::npos);
  const DiffReport added = diff(*older, *parse(with(base, "{$ref: '#/components/schemas/Dog'}]",
                                                    "{$ref: '#/components/schemas/Dog'}, {$ref: '#/components/schemas/Fox'}]")));
  ASSERT_EQ(added.changes.size(), 1u);
  EXPECT_FALSE(added.changes[0].breaking);
  EXPECT_NE(added.changes[0].what.find("oneOf member Fox added"), std::string::npos);
}

TEST(Diff, AStreamsEventSchemaIsComparedLikeAResponse) {
  const auto older = Contract::load(test::spec("aiproxy.yaml"));
  std::ifstream in(test::spec("aiproxy.yaml"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A finish reason the chunk schema did not promise.
  const std::string from = "enum: [stop, length, tool_calls, content_filter, function_call, null]";
  ASSERT_NE(text.find(from), std::string::npos);
  std::string changed = text;
  for (auto at = changed.find(from); at != std::string::npos; at = changed.find(from, at + 1))
    changed.replace(at, from.size(), "enum: [stop, length, tool_calls, content_filter, function_call, paused, null]");
  const auto newer = Contract::parse(changed, "aiproxy.yaml", test::spec_dir());
  const DiffReport r = diff(*older, *newer);
  ASSERT_GE(r.changes.size(), 1u);
  bool in_events = false;
  for (const auto& c : r.changes) {
    EXPECT_TRUE(c.breaking) << c.where << ": " << c.what;
    if (c.where.find("text/event-stream events") != std::string::npos) in_events = true;
  }
  EXPECT_TRUE(in_events);
}

}  // namespace
}  // namespace tollgate::contract
