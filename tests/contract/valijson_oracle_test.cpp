// Cross-checks the contract engine's OpenAPI 3.0 validator against valijson,
// an independent JSON Schema implementation: every example of every bundled
// contract, and thousands of mutations of them (a field removed, a value of
// the wrong type), must get the same verdict from both.
#include <gtest/gtest.h>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "contract/contract.h"
#include "tests/support/paths.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

// OpenAPI 3.0 schema -> self-contained JSON Schema draft 4 (refs inlined,
// `nullable` folded into `type`, OpenAPI-only keywords dropped). `format` is
// dropped too: valijson 1.0 throws when a format meets a non-string value
// (e.g. int64 on an integer); formats are tested on their own elsewhere.
json to_draft4(const DocumentSet& docs, const NodeRef& schema, int depth = 0) {
  if (depth > 32) throw std::runtime_error("schema too deep to inline");
  const NodeRef s = docs.deref(schema);
  json out = json::object();
  for (auto it = s.node->begin(); it != s.node->end(); ++it) {
    const std::string& key = it.key();
    if (key == "nullable" || key == "discriminator" || key == "format" || key == "example" || key == "readOnly" || key == "writeOnly" ||
        key.starts_with("x-"))
      continue;
    if (key == "properties") {
      out[key] = json::object();
      for (auto p = it.value().begin(); p != it.value().end(); ++p)
        out[key][p.key()] = to_draft4(docs, s.child("properties").child(p.key()), depth + 1);
    } else if (key == "items" || key == "not" || (key == "additionalProperties" && it.value().is_object())) {
      out[key] = to_draft4(docs, s.child(key), depth + 1);
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      out[key] = json::array();
      for (std::size_t i = 0; i < it.value().size(); ++i)
        out[key].push_back(to_draft4(docs, s.child(key).item(i), depth + 1));
    } else {
      out[key] = it.value();
    }
  }
  if (s.node->value("nullable", false)) {
    if (out.contains("type")) out["type"] = json::array({out["type"], "null"});
    // OpenAPI 3.0's nullable admits null before every other keyword.
    out = json{{"anyOf", json::array({json{{"type", "null"}}, out})}};
  }
  return out;
}

bool valijson_accepts(const json& draft4, const json& value) {
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft4);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(draft4);
  try {
    parser.populateSchema(schema_adapter, schema);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("valijson cannot read ") + draft4.dump() + ": " + e.what());
  }
  valijson::Validator validator;
  valijson::adapters::NlohmannJsonAdapter target(value);
  return validator.validate(schema, target, nullptr);
}

// Every variant of `value` with one object member removed or one leaf
// replaced by a value of another type.
void mutations(const json& value, json& root, const json::json_pointer& at, std::vector<json>& out) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      json copy = root;
      copy.at(at).erase(it.key());
      out.push_back(std::move(copy));
      mutations(it.value(), root, at / it.key(), out);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) mutations(value[i], root, at / i, out);
  } else {
    json copy = root;
    copy.at(at) = value.is_string() ? json(12345) : json("not-" + value.dump());
    out.push_back(std::move(copy));
  }
}

struct Case {
  NodeRef schema;
  json value;
};

std::vector<Case> example_cases(const Contract& c) {
  std::vector<Case> cases;
  auto collect = [&](const MediaType& m) {
    if (!m.schema || m.sse_chunk) return;
    if (NodeRef ex = m.where.child("example")) cases.push_back({m.schema, *ex.node});
    if (NodeRef exs = m.where.child("examples"))
      for (auto it = exs.node->begin(); it != exs.node->end(); ++it)
        if (NodeRef v = c.documents().deref(exs.child(it.key())).child("value")) cases.push_back({m.schema, *v.node});
  };
  for (const auto& op : c.operations()) {
    for (const auto& m : op.request_body) collect(m);
    for (const auto& r : op.responses)
      for (const auto& m : r.content) collect(m);
  }
  return cases;
}

TEST(ValijsonOracle, SameVerdictOnEveryExampleAndItsMutations) {
  std::size_t compared = 0, rejected = 0;
  for (const char* file : test::kContracts) {
    const auto c = Contract::load(test::spec(file));
    for (const auto& example : example_cases(*c)) {
      const json draft4 = to_draft4(c->documents(), example.schema);
      std::vector<json> variants{example.value};
      json root = example.value;
      mutations(example.value, root, json::json_pointer(), variants);
      for (const auto& v : variants) {
        std::vector<Violation> ours;
        const bool we_accept = c->validator().validate(example.schema, v, Direction::kResponse, ours);
        const bool they_accept = valijson_accepts(draft4, v);
        ++compared;
        rejected += we_accept ? 0 : 1;
        EXPECT_EQ(we_accept, they_accept) << file << " " << example.schema.uri() << "\nvalue: " << v.dump()
                                          << "\nours: " << (ours.empty() ? "valid" : ours[0].to_string());
      }
    }
  }
  // The mutations must actually exercise rejection, or the test proves nothing.
  EXPECT_GT(compared, 500u);
  EXPECT_GT(rejected, compared / 3);
  std::cout << "compared " << compared << " verdicts, " << rejected << " rejections\n";
}

}  // namespace
}  // namespace tollgate::contract
