#include "common/yaml_json.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(YamlJson, ResolvesPlainScalarsByTheCoreSchema) {
  const auto doc = parse_yaml(
      "a: 12\nb: -3.5\nc: true\nd: ~\ne: '12'\nf: hello\ng: 1e3\nh: 0x1F\ni: 99999999999999999999\nj: \"true\"\n",
      "t.yaml");
  const auto& v = doc.value;
  EXPECT_TRUE(v["a"].is_number_integer());
  EXPECT_EQ(v["a"], 12);
  EXPECT_DOUBLE_EQ(v["b"].get<double>(), -3.5);
  EXPECT_EQ(v["c"], true);
  EXPECT_TRUE(v["d"].is_null());
  EXPECT_EQ(v["e"], "12");  // quoted stays a string
  EXPECT_EQ(v["f"], "hello");
  EXPECT_DOUBLE_EQ(v["g"].get<double>(), 1000.0);
  EXPECT_EQ(v["h"], 31);
  EXPECT_TRUE(v["i"].is_number_float());  // beyond 64 bits keeps its magnitude
  EXPECT_EQ(v["j"], "true");
}

TEST(YamlJson, RecordsLineAndColumnOfEveryValue) {
  const auto doc = parse_yaml("top:\n  list:\n    - x\n    - key: value\n", "f.yaml");
  const auto where = doc.sources.locate("f.yaml", "/top/list/1/key");
  EXPECT_EQ(where.line, 4);
  EXPECT_EQ(where.column, 12);
  // Unknown pointers fall back to the nearest ancestor.
  EXPECT_EQ(doc.sources.locate("f.yaml", "/top/list/1/missing").line, 4);
}

TEST(YamlJson, RejectsDuplicateKeysWithTheirPosition) {
  try {
    parse_yaml("a: 1\nb: 2\na: 3\n", "dup.yaml");
    FAIL() << "expected an error";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column, 1);
    EXPECT_NE(std::string(e.what()).find("dup.yaml:3:1: duplicate key 'a'"), std::string::npos) << e.what();
  }
}

TEST(YamlJson, SyntaxErrorsNameFileLineAndColumn) {
  try {
    parse_yaml("a: [1, 2\nb: 3\n", "bad.yaml");
    FAIL() << "expected an error";
  } catch (const SourceError& e) {
    EXPECT_EQ(e.where().file, "bad.yaml");
    EXPECT_GT(e.where().line, 0);
    EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos);
  }
}

TEST(YamlJson, DeepNestingIsAnErrorNotACrash) {
  std::string deep(1000, '[');
  EXPECT_THROW(parse_yaml(deep + std::string(1000, ']'), "deep.yaml"), SourceError);
}

TEST(YamlJson, HugeScalarsParse) {
  const auto doc = parse_yaml("n: " + std::string(200000, '7') + "\ns: " + std::string(200000, 'x') + "\n", "big.yaml");
  EXPECT_TRUE(doc.value["n"].is_number_float());
  EXPECT_EQ(doc.value["s"].get<std::string>().size(), 200000u);
}

// Nested aliases: each level repeats the one before ten times, so six
// levels in a few hundred bytes would expand to 10^6 values.
std::string laughs(int levels, int width) {
  std::string text = "l0: &l0 [lol]\n";
  for (int i = 1; i <= levels; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < width; ++j) text += (j ? ", *l" : "*l") + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

TEST(YamlJson, AliasesThatExplodeAreRefusedWithTheirPlace) {
  const std::string bomb = laughs(6, 10);
  ASSERT_LT(bomb.size(), 400u);
  try {
    parse_yaml(bomb, "bomb.yaml");
    FAIL() << "10^6 values from " << bomb.size() << " bytes were accepted";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("bomb.yaml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("aliases repeated too often"), std::string::npos) << e.what();
  }
  // A long scalar repeated by aliases: bounded by bytes too.
  std::string wide = "s: &s " + std::string(100000, 'x') + "\nl: [";
  for (int j = 0; j < 200; ++j) wide += (j ? ", *s" : "*s");
  EXPECT_THROW(parse_yaml(wide + "]\n", "wide.yaml"), SourceError);
  // Ordinary use of aliases (shared headers, a few levels) is fine.
  const auto ok = parse_yaml(laughs(2, 10), "ok.yaml");
  EXPECT_EQ(ok.value["l2"].size(), 10u);
  EXPECT_EQ(ok.value["l2"][9][9][0], "lol");
}

TEST(YamlJson, MissingFileIsAnError) {
  try {
    load_yaml_file("/nonexistent/contract.yaml");
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/contract.yaml: cannot read file"), std::string::npos);
  }
}

}  // namespace
}  // namespace tollgate
