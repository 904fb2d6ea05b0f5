// Bytes as a JSON Schema a client sends (a tool's parameters, a
// response_format schema): ClientSchema::parse refuses or accepts it,
// generation either gives a value or a GenerateError, validation of the
// generated and of fixed values never throws, and generation is
// deterministic.
#include <optional>

#include <nlohmann/json.hpp>

#include "contract/client_schema.h"
#include "contract/value_generator.h"
#include "fuzz/fuzz_common.h"

using namespace tollgate;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  const json value = json::parse(fuzz::text_of(data, size), nullptr, false);
  if (value.is_discarded()) return 0;
  std::optional<contract::ClientSchema> schema;
  try {
    schema = contract::ClientSchema::parse(value);
  } catch (const contract::ClientSchemaError& e) {
    FUZZ_CHECK(std::string(e.what()).size() > 0, "");
    return 0;
  }
  for (const json& fixed : {json(nullptr), json(1), json("x"), json::object(), json::array({1, "a"})})
    (void)schema->problems(fixed);
  try {
    const json generated = schema->generate(size);
    (void)schema->problems(generated);
    FUZZ_CHECK(schema->generate(size) == generated, generated.dump(-1, ' ', false, json::error_handler_t::replace));
  } catch (const contract::GenerateError&) {
  }
  return 0;
}
