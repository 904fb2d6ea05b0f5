// Bytes as a JSON value, validated against the schemas of spec/aiproxy.yaml
// (loaded once): every request and response body schema of its operations,
// the event-stream chunk schemas and components/schemas, both directions,
// through SchemaValidator::validate and Contract::validate_request/_response;
// the bytes as raw text through validate_parameter for every parameter.
// None of these throws: a violation is data.
#include <nlohmann/json.hpp>

#include "contract/contract.h"
#include "fuzz/fuzz_common.h"

using namespace tollgate;
using nlohmann::json;

namespace {

struct Spec {
  std::shared_ptr<const contract::Contract> contract;
  std::vector<contract::NodeRef> schemas;
};

const Spec& spec() {
  static const Spec s = [] {
    Spec out;
    out.contract = contract::Contract::load(TOLLGATE_FUZZ_SPEC_DIR "/aiproxy.yaml");
    auto add = [&](const contract::NodeRef& r) {
      if (r) out.schemas.push_back(r);
    };
    for (const auto& op : out.contract->operations()) {
      for (const auto& m : op.request_body) add(m.schema);
      for (const auto& r : op.responses)
        for (const auto& m : r.content) {
          add(m.schema);
          add(m.sse_chunk);
        }
    }
    const auto components = out.contract->documents().root_ref().child("components").child("schemas");
    if (components && components.node->is_object())
      for (auto it = components.node->begin(); it != components.node->end(); ++it) add(components.child(it.key()));
    return out;
  }();
  return s;
}

void check_violations(const std::vector<contract::Violation>& found) {
  for (const auto& v : found) {
    FUZZ_CHECK(!v.message.empty(), v.to_string());
    FUZZ_CHECK(v.instance_pointer.empty() || v.instance_pointer.front() == '/', v.to_string());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  const Spec& s = spec();
  const std::string text = fuzz::text_of(data, size);
  const auto& c = *s.contract;

  // The raw bytes as every parameter's text (coerced to its schema's type).
  if (size <= 512)
    for (const auto& op : c.operations())
      for (const auto& p : op.parameters) check_violations(c.validate_parameter(p, text));

  const json value = json::parse(text, nullptr, false);
  if (value.is_discarded()) return 0;
  for (const auto& schema : s.schemas)
    for (auto direction : {contract::Direction::kRequest, contract::Direction::kResponse}) {
      std::vector<contract::Violation> found;
      const bool ok = c.validator().validate(schema, value, direction, found);
      FUZZ_CHECK(ok == found.empty(), schema.uri());
      check_violations(found);
    }
  for (const auto& op : c.operations()) {
    if (!op.request_body.empty()) check_violations(c.validate_request(op, "application/json", value));
    check_violations(c.validate_request(op, "text/plain", value));
    for (int status : {200, 400, 429, 500}) {
      check_violations(c.validate_response(op, status, "application/json", &value));
      check_violations(c.validate_response(op, status, "application/json; charset=utf-8", nullptr));
    }
  }
  return 0;
}
