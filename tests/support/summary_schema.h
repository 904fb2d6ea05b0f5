#pragma once
// Checks a summary.json against the published schema
// (reports/summary.schema.json), as a consumer of the file would.
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace tollgate::test {

/// What is wrong with `summary` ("" when nothing), each error with where.
inline std::string summary_schema_errors(const nlohmann::json& summary) {
  std::ifstream in(std::string(TOLLGATE_SOURCE_DIR) + "/reports/summary.schema.json");
  const nlohmann::json schema_doc = nlohmann::json::parse(in);
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(summary);
  std::string why;
  if (!validator.validate(schema, target, &results)) {
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      for (const auto& c : e.context) why += c;
      why += ": " + e.description + "\n";
    }
    if (why.empty()) why = "invalid";
  }
  return why;
}

}  // namespace tollgate::test
