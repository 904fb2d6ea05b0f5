// Bytes as YAML: tollgate::parse_yaml (YAML 1.2 core schema to JSON with
// positions; SourceError naming file:line:column is its one documented
// refusal). When it parses: every object's location and its keys' lie
// inside the text, for_each_object visits an object root first, and
// the value dumps (invalid UTF-8 replaced, as the product writes it).
#include <algorithm>

#include "common/yaml_json.h"
#include "fuzz/fuzz_common.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 128 * 1024) return -1;
  const std::string text = fuzz::text_of(data, size);
  YamlDocument doc;
  try {
    doc = parse_yaml(text, "fuzz.yaml");
  } catch (const SourceError& e) {
    FUZZ_CHECK(e.where().file == "fuzz.yaml", e.what());
    return 0;  // a clean refusal
  }
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::string previous = "\x01";
  for_each_object(doc.value, [&](const nlohmann::json&, const std::string& pointer) {
    FUZZ_CHECK(pointer.empty() || pointer.front() == '/', pointer);
    if (doc.value.is_object()) FUZZ_CHECK(previous == "\x01" ? pointer.empty() : !pointer.empty(), "the root first");
    previous = pointer;
    for (const auto& where : {doc.sources.locate("fuzz.yaml", pointer), doc.sources.locate_key("fuzz.yaml", pointer)}) {
      FUZZ_CHECK(where.line >= 0 && where.line <= lines, std::to_string(where.line) + " of " + std::to_string(lines));
      FUZZ_CHECK(where.column >= 0, "");
      (void)where.to_string();
    }
  });
  (void)doc.value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
