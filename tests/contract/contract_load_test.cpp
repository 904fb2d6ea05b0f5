#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "contract/contract.h"
#include "tests/support/paths.h"

namespace tollgate::contract {
namespace {

namespace fs = std::filesystem;

// Writes files into a fresh temporary directory.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("tollgate-test-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

constexpr const char* kHead = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SourceError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ContractLoad, BadYamlNamesFileLineAndColumn) {
  TempDir dir;
  const auto file = dir.write("bad.yaml", std::string(kHead) + "paths:\n  /a: {get: [\n");
  const std::string err = error_of([&] { Contract::load(file); });
  EXPECT_NE(err.find("bad.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find(":5:"), std::string::npos) << err;
}

TEST(ContractLoad, DanglingRefIsReportedWhereTheRefIs) {
  TempDir dir;
  const auto file = dir.write("dangling.yaml", std::string(kHead) +
                                                   "paths:\n"
                                                   "  /a:\n"
                                                   "    get:\n"
                                                   "      responses:\n"
                                                   "        '200':\n"
                                                   "          description: ok\n"
                                                   "          content:\n"
                                                   "            application/json:\n"
                                                   "              schema:\n"
                                                   "                $ref: '#/components/schemas/Missing'\n");
  const std::string err = error_of([&] { Contract::load(file); });
  EXPECT_NE(err.find("dangling.yaml:12:"), std::string::npos) << err;
  EXPECT_NE(err.find("#/components/schemas/Missing"), std::string::npos) << err;
  EXPECT_NE(err.find("does not resolve"), std::string::npos) << err;
}

TEST(ContractLoad, RefToAMissingSiblingFile) {
  TempDir dir;
  const auto file = dir.write("a.yaml", std::string(kHead) +
                                            "paths:\n  /a:\n    get:\n      responses:\n        '200':\n"
                                            "          $ref: 'common.yaml#/components/responses/Ok'\n");
  const std::string err = error_of([&] { Contract::load(file); });
  EXPECT_NE(err.find("a.yaml:8:"), std::string::npos) << err;
  EXPECT_NE(err.find("cannot read"), std::string::npos) << err;
}

TEST(ContractLoad, UnknownTypeIsRejectedAtItsPosition) {
  TempDir dir;
  const auto file = dir.write("type.yaml", std::string(kHead) +
                                               "paths: {}\n"
                                               "components:\n"
                                               "  schemas:\n"
                                               "    Thing:\n"
                                               "      type: object\n"
                                               "      properties:\n"
                                               "        size: {type: int}\n");
  const std::string err = error_of([&] { Contract::load(file); });
  EXPECT_NE(err.find("type.yaml:9:"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown type 'int'"), std::string::npos) << err;
}

// Small malformed documents: each is refused at its place, never an abort.
TEST(ContractLoad, MalformedShapesAreLocatedRefusalsNeverCrashes) {
  struct Case {
    const char* op;       // the operation, under paths: /a: get:
    const char* says;     // in the message
    const char* where;    // file:line: of the bad node
  };
  const Case cases[] = {
      {"{requestBody: null, responses: {'200': {description: ok}}}", "'requestBody' must be a mapping", ":5:"},
      {"{requestBody: {required: 'yes', content: {}}, responses: {'200': {description: ok}}}", "'required' must be true or false", ":5:"},
      {"{responses: {'200': {description: ok, headers: {X-A: null}}}}", "a response header must be a mapping", ":5:"},
      {"{parameters: [7], responses: {'200': {description: ok}}}", "a parameter must be a mapping", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {a: "
       "string}}}}}}}", "a schema must be a mapping, found string", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: [1, 2]}}}}}",
       "a schema must be a mapping, found array", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: {type: string, nullable: 'yes'}}}}}}",
       "'nullable' must be true or false, found string", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: {type: object, properties: {a: "
       "{type: string, readOnly: 1}}}}}}}}", "'readOnly' must be true or false", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: {type: string, pattern: 5}}}}}}",
       "'pattern' must be a string", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: {type: string, maxLength: '9'}}}}}}",
       "'maxLength' must be a number", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: {allOf: {type: string}}}}}}}",
       "'allOf' must be a non-empty list", ":5:"},
      {"{responses: {'200': {description: ok, content: {application/json: {schema: {type: object, "
       "additionalProperties: 3}}}}}}", "'additionalProperties' must be true, false or a schema", ":5:"},
  };
  for (const auto& c : cases) {
    const std::string doc = std::string(kHead) + "paths:\n  /a:\n    get: " + c.op + "\n";
    const std::string err = error_of([&] { Contract::parse(doc, "bad.yaml", "."); });
    EXPECT_NE(err.find(c.says), std::string::npos) << c.op << "\n" << err;
    EXPECT_NE(err.find(std::string("bad.yaml") + c.where), std::string::npos) << c.op << "\n" << err;
  }
}

TEST(ContractLoad, NotOpenApi30) {
  TempDir dir;
  EXPECT_NE(error_of([&] { Contract::load(dir.write("v31.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")); })
                .find("unsupported OpenAPI version '3.1.0'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Contract::load(dir.write("list.yaml", "- 1\n- 2\n")); }).find("not an OpenAPI document"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Contract::load(dir.write("nopaths.yaml", kHead)); }).find("'paths'"), std::string::npos);
}

TEST(ContractLoad, RefCycleIsAnError) {
  TempDir dir;
  const auto file = dir.write("cycle.yaml", std::string(kHead) +
                                                "paths: {}\n"
                                                "components:\n"
                                                "  schemas:\n"
                                                "    A: {$ref: '#/components/schemas/B'}\n"
                                                "    B: {$ref: '#/components/schemas/A'}\n");
  EXPECT_NE(error_of([&] { Contract::load(file); }).find("$ref cycle"), std::string::npos);
}

TEST(ContractLoad, ResolvesRefsToSiblingFiles) {
  TempDir dir;
  dir.write("common.yaml",
            "components:\n  schemas:\n    Pet:\n      type: object\n      required: [name]\n"
            "      properties:\n        name: {type: string}\n");
  const auto file = dir.write("api.yaml", std::string(kHead) +
                                              "paths:\n  /pets/{id}:\n    get:\n      operationId: getPet\n"
                                              "      parameters:\n        - {name: id, in: path, required: true, schema: {type: integer}}\n"
                                              "      responses:\n        '200':\n          description: ok\n"
                                              "          content:\n            application/json:\n"
                                              "              schema: {$ref: 'common.yaml#/components/schemas/Pet'}\n");
  const auto c = Contract::load(file);
  ASSERT_EQ(c->documents().documents().size(), 2u);
  const Operation* op = c->find("getPet");
  ASSERT_NE(op, nullptr);
  const nlohmann::json good = {{"name", "rex"}};
  const nlohmann::json bad = {{"name", 7}};
  EXPECT_TRUE(c->validate_response(*op, 200, "application/json", &good).empty());
  const auto v = c->validate_response(*op, 200, "application/json", &bad);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_pointer, "/name");
  EXPECT_EQ(v[0].schema_pointer, "common.yaml#/components/schemas/Pet/properties/name/type");
}

TEST(ContractLoad, EveryBundledContractLoads) {
  for (const char* file : test::kContracts) {
    SCOPED_TRACE(file);
    const auto c = Contract::load(test::spec(file));
    EXPECT_FALSE(c->operations().empty());
    EXPECT_FALSE(c->title().empty());
  }
}

}  // namespace
}  // namespace tollgate::contract
