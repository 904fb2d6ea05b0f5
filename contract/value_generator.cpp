#include "contract/value_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <string_view>
#include <vector>

#include "common/percent.h"
#include "contract/pattern_writer.h"
#include "contract/schema_values.h"

namespace tollgate::contract {
namespace {

using nlohmann::json;

constexpr std::string_view kWords[] = {"alpha", "bright", "cedar", "delta", "ember", "fjord", "garnet", "harbor",
                                       "indigo", "juniper", "kestrel", "lumen", "meadow", "nimbus", "orchid",
                                       "pebble", "quartz", "river", "sierra", "timber", "umber", "velvet",
                                       "willow", "xenon", "yarrow", "zephyr"};

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t mix_key(std::uint64_t seed, std::string_view key) {
  std::uint64_t h = seed ^ 14695981039346656037ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return mix(h);
}

class Generator {
 public:
  Generator(const json& root, const GenerateOptions& options) : root_(root), options_(options) {}

  json value(const json& schema, std::uint64_t seed, int depth) {
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) throw GenerateError("the schema is 'false': no value is valid");
      return "value";
    }
    if (!schema.is_object()) return json::object();
    if (depth > options_.max_depth + 16) throw GenerateError("the schema nests too deep (a reference cycle?)");
    if (++nodes_ > options_.max_nodes)
      throw GenerateError("the value would hold more than " + std::to_string(options_.max_nodes) + " JSON values");
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string())
      return value(resolve(ref->get<std::string>()), seed, depth + 1);
    if (auto c = schema.find("const"); c != schema.end()) return *c;
    if (options_.use_examples)  // a scalar the contract shows: a model name, a key, a known id
      for (const char* key : {"example", "default"})
        if (auto x = schema.find(key); x != schema.end() && !x->is_object() && !x->is_array()) return *x;
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array() && !e->empty()) {
      // A non-null member first: `nullable` enums list null too.
      std::vector<const json*> members;
      for (const auto& m : *e)
        if (!m.is_null()) members.push_back(&m);
      if (members.empty()) return nullptr;
      return *members[seed % members.size()];
    }
    if (auto all = schema.find("allOf"); all != schema.end() && all->is_array() && !all->empty())
      return value(merged(schema), seed, depth + 1);
    for (const char* key : {"oneOf", "anyOf"}) {
      auto list = schema.find(key);
      if (list == schema.end() || !list->is_array() || list->empty()) continue;
      // The first member that is not just null: an optional field written
      // as anyOf [T, {type: null}] gets a T.
      for (const auto& member : *list)
        if (!is_null_only(member)) return with_siblings(schema, key, member, seed, depth);
      return nullptr;
    }
    const std::string type = type_of(schema);
    if (type == "null") return nullptr;
    if (type == "object") return object(schema, seed, depth);
    if (type == "array") return array(schema, seed, depth);
    if (type == "integer") return integer(schema, seed);
    if (type == "number") return number(schema, seed);
    if (type == "boolean") return (seed & 1) == 0;
    return string(schema, seed);
  }

 private:
  const json& resolve(const std::string& ref) {
    if (ref.empty() || ref.front() != '#')
      throw GenerateError("$ref '" + ref + "': only references inside the schema ('#/...') are followed");
    const std::string pointer = percent_decode(std::string_view(ref).substr(1));
    try {
      const json::json_pointer p(pointer);
      if (root_.contains(p)) return root_.at(p);
    } catch (const json::exception&) {
    }
    throw GenerateError("$ref '" + ref + "' does not resolve");
  }

  bool is_null_only(const json& s) {
    if (!s.is_object()) return false;
    if (auto ref = s.find("$ref"); ref != s.end() && ref->is_string()) return is_null_only(resolve(*ref));
    auto t = s.find("type");
    return t != s.end() && t->is_string() && *t == "null";
  }

  // A oneOf/anyOf member with the keywords beside the list (a `properties`
  // next to `anyOf`) applied too.
  json with_siblings(const json& schema, const char* key, const json& member, std::uint64_t seed, int depth) {
    json rest = schema;
    rest.erase(key);
    rest.erase("discriminator");
    if (keyword_mask(rest) == 0) return value(member, seed, depth + 1);
    json combined = {{"allOf", json::array({rest, member})}};
    return value(combined, seed, depth + 1);
  }

  // allOf folded into one schema: properties and required united, the
  // other keywords of the later member winning.
  json merged(const json& schema) {
    json out = schema;
    out.erase("allOf");
    std::vector<json> parts{out};
    for (const auto& m : schema["allOf"]) parts.push_back(m.is_object() && m.contains("$ref") && m["$ref"].is_string()
                                                              ? resolve(m["$ref"].get<std::string>())
                                                              : m);
    json result = json::object();
    for (const auto& part : parts) {
      if (!part.is_object()) continue;
      json p = part;
      if (p.contains("allOf")) p = merged(p);
      for (auto it = p.begin(); it != p.end(); ++it) {
        if (it.key() == "properties" && it->is_object()) {
          for (auto prop = it->begin(); prop != it->end(); ++prop) result["properties"][prop.key()] = *prop;
        } else if (it.key() == "required" && it->is_array()) {
          for (const auto& name : *it)
            if (!result.contains("required") ||
                std::find(result["required"].begin(), result["required"].end(), name) == result["required"].end())
              result["required"].push_back(name);
        } else {
          result[it.key()] = *it;
        }
      }
    }
    return result;
  }

  static std::string type_of(const json& s) {
    if (auto t = s.find("type"); t != s.end()) {
      if (t->is_string()) return t->get<std::string>();
      if (t->is_array()) {
        for (const auto& name : *t)
          if (name.is_string() && name != "null") return name.get<std::string>();
        if (!t->empty() && (*t)[0].is_string()) return (*t)[0].get<std::string>();
      }
    }
    if (s.contains("properties") || s.contains("required") || s.contains("additionalProperties")) return "object";
    if (s.contains("items") || s.contains("minItems")) return "array";
    if (s.contains("minimum") || s.contains("maximum") || s.contains("multipleOf")) return "number";
    return "string";
  }

  json object(const json& s, std::uint64_t seed, int depth) {
    json out = json::object();
    std::vector<std::string> required;
    if (auto r = s.find("required"); r != s.end() && r->is_array())
      for (const auto& name : *r)
        if (name.is_string()) required.push_back(name.get<std::string>());
    const bool deep = depth >= options_.max_depth;
    if (auto props = s.find("properties"); props != s.end() && props->is_object()) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        const bool needed = std::find(required.begin(), required.end(), it.key()) != required.end();
        if (!needed && (deep || !options_.optional_properties)) continue;
        if (it->is_object() && it->value("readOnly", false) && !needed) continue;
        out[it.key()] = value(*it, mix_key(seed, it.key()), depth + 1);
      }
    }
    // A required name with no schema of its own takes additionalProperties'.
    const json extra = s.contains("additionalProperties") ? s["additionalProperties"] : json(true);
    const bool extra_allowed = !(extra.is_boolean() && !extra.get<bool>());
    for (const auto& name : required)
      if (!out.contains(name)) out[name] = extra.is_object() ? value(extra, mix_key(seed, name), depth + 1) : json("value");
    if (auto m = s.find("minProperties"); m != s.end() && m->is_number() && extra_allowed) {
      const auto want = static_cast<std::size_t>(std::clamp(m->get<double>(), 0.0, 64.0));
      for (std::size_t i = 0; out.size() < want; ++i) {
        const std::string key = "extra_" + std::to_string(i);
        if (!out.contains(key)) out[key] = extra.is_object() ? value(extra, mix_key(seed, key), depth + 1) : json(i);
      }
    }
    return out;
  }

  json array(const json& s, std::uint64_t seed, int depth) {
    const auto bound = [&](const char* key, double fallback) {
      auto it = s.find(key);
      return it != s.end() && it->is_number() ? std::clamp(it->get<double>(), 0.0, 1024.0) : fallback;
    };
    const auto min_items = static_cast<std::size_t>(bound("minItems", 0));
    const auto max_items = static_cast<std::size_t>(bound("maxItems", 1024));
    std::size_t count = depth >= options_.max_depth ? min_items : std::max(min_items, options_.max_items);
    count = std::min(count, std::max(max_items, min_items));
    const json items = s.contains("items") ? s["items"] : json::object();
    const bool unique = s.value("uniqueItems", false);
    json out = json::array();
    for (std::size_t i = 0; out.size() < count && i < count * 8 + 8; ++i) {
      json item = value(items, mix(seed + i), depth + 1);
      if (unique && std::find(out.begin(), out.end(), item) != out.end()) continue;
      out.push_back(std::move(item));
    }
    return out;
  }

  // [lo, hi] of a number schema, exclusive bounds moved inwards by `step`.
  static std::pair<double, double> range(const json& s, double step, double default_lo, double default_hi) {
    double lo = default_lo, hi = default_hi;
    const auto read = [&](const char* key, const char* exclusive, double& out, double dir) {
      auto it = s.find(key);
      if (it != s.end() && it->is_number()) {
        out = it->get<double>();
        if (s.value(exclusive, json(false)) == json(true)) out += dir * step;
      }
      // JSON Schema draft 6+: the exclusive bound is the number itself.
      auto ex = s.find(exclusive);
      if (ex != s.end() && ex->is_number()) out = ex->get<double>() + dir * step;
    };
    const bool has_min = s.contains("minimum") || (s.contains("exclusiveMinimum") && s["exclusiveMinimum"].is_number());
    const bool has_max = s.contains("maximum") || (s.contains("exclusiveMaximum") && s["exclusiveMaximum"].is_number());
    read("minimum", "exclusiveMinimum", lo, +1);
    read("maximum", "exclusiveMaximum", hi, -1);
    if (has_min && !has_max) hi = std::max(hi, lo + (default_hi - default_lo));
    if (has_max && !has_min) lo = std::min(lo, hi - (default_hi - default_lo));
    return {lo, hi};
  }

  static json integer(const json& s, std::uint64_t seed) {
    auto [lo, hi] = range(s, 1, 1, 100);
    lo = std::ceil(lo);
    hi = std::floor(hi);
    if (hi < lo) hi = lo;
    const double limit = 9.0e15;  // integers a double holds exactly
    lo = std::clamp(lo, -limit, limit);
    hi = std::clamp(hi, -limit, limit);
    auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    auto v = static_cast<std::int64_t>(lo) + static_cast<std::int64_t>(seed % (span == 0 ? 1 : span));
    if (auto m = s.find("multipleOf"); m != s.end() && m->is_number() && m->get<double>() >= 1) {
      const auto step = static_cast<std::int64_t>(m->get<double>());
      if (step > 0 && m->get<double>() == static_cast<double>(step)) {
        std::int64_t q = v / step;
        v = q * step;
        if (static_cast<double>(v) < lo) v += step;
      }
    }
    return v;
  }

  static json number(const json& s, std::uint64_t seed) {
    auto [lo, hi] = range(s, 1e-3, 0, 100);
    if (hi < lo) hi = lo;
    double v = lo + (hi - lo) * static_cast<double>(seed % 1000) / 1000.0;
    if (auto m = s.find("multipleOf"); m != s.end() && m->is_number() && m->get<double>() > 0) {
      const double step = m->get<double>();
      v = std::ceil(lo / step) * step;
    } else {
      v = std::round(v * 100) / 100;  // short numbers in the answers
      if (v < lo || v > hi) v = lo;
    }
    return v;
  }

  json string(const json& s, std::uint64_t seed) {
    std::string v = plain_string(s, seed);
    string_bytes_ += v.size();
    if (string_bytes_ > options_.max_string_bytes)
      throw GenerateError("the value's strings would be longer than " + std::to_string(options_.max_string_bytes) +
                          " bytes");
    return v;
  }

  std::string plain_string(const json& s, std::uint64_t seed) {
    if (auto f = s.find("format"); f != s.end() && f->is_string()) {
      if (auto v = formatted(f->get<std::string>(), seed); !v.empty()) return v;
    }
    const auto len = [&](const char* key, double fallback) {
      auto it = s.find(key);
      return it != s.end() && it->is_number() ? static_cast<std::size_t>(std::clamp(it->get<double>(), 0.0, 4096.0))
                                              : static_cast<std::size_t>(fallback);
    };
    const std::size_t min_len = len("minLength", 0), max_len = std::max(len("maxLength", 4096), min_len);
    std::string text(kWords[seed % std::size(kWords)]);
    for (std::uint64_t k = 1; text.size() < min_len; ++k) text += " " + std::string(kWords[mix(seed + k) % std::size(kWords)]);
    if (utf8_length(text) > max_len) text.resize(max_len);
    if (auto p = s.find("pattern"); p != s.end() && p->is_string()) return patterned(p->get<std::string>(), text, seed);
    return text;
  }

  static std::string formatted(const std::string& format, std::uint64_t seed) {
    char buf[64];
    if (format == "date-time") {
      std::snprintf(buf, sizeof buf, "2026-%02u-%02uT%02u:%02u:00Z", unsigned(1 + seed % 12), unsigned(1 + seed % 28),
                    unsigned(seed % 24), unsigned(seed % 60));
      return buf;
    }
    if (format == "date") {
      std::snprintf(buf, sizeof buf, "2026-%02u-%02u", unsigned(1 + seed % 12), unsigned(1 + seed % 28));
      return buf;
    }
    if (format == "time") {
      std::snprintf(buf, sizeof buf, "%02u:%02u:00Z", unsigned(seed % 24), unsigned(seed % 60));
      return buf;
    }
    if (format == "email") return std::string(kWords[seed % std::size(kWords)]) + "@example.com";
    if (format == "uri" || format == "url") return "https://example.com/" + std::string(kWords[seed % std::size(kWords)]);
    if (format == "hostname") return std::string(kWords[seed % std::size(kWords)]) + ".example.com";
    if (format == "ipv4") {
      std::snprintf(buf, sizeof buf, "192.0.2.%u", unsigned(seed % 255));
      return buf;
    }
    if (format == "ipv6") return "2001:db8::" + std::to_string(seed % 9999);
    if (format == "uuid") {
      const std::uint64_t a = mix(seed), b = mix(seed + 1);
      std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", unsigned(a >> 32), unsigned(a >> 16) & 0xFFFF,
                    unsigned(a) & 0xFFF, unsigned(b >> 52) & 0xFFF,
                    static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
      return buf;
    }
    return "";  // formats without a rule (byte, binary, password, ...) are plain strings
  }

  // A string built from the pattern itself (literals, classes, \d \w \s,
  // groups with |, quantifiers), then a few stock candidates; the first
  // one the pattern matches, or `text`.
  static std::string patterned(const std::string& pattern, const std::string& text, std::uint64_t seed) {
    try {
      const std::regex re(pattern, std::regex::ECMAScript);
      if (auto built = string_matching(pattern, seed); built && std::regex_search(*built, re)) return *built;
      const std::string candidates[] = {text, std::to_string(seed % 1000), "a", "A1", "abc", "ABC", "abc123",
                                        "a-b", "a_b", "1", "123", "2026-01-01", "+12025550100", ""};
      for (const auto& c : candidates)
        if (std::regex_search(c, re)) return c;
    } catch (const std::regex_error&) {
    }
    return text;
  }

  const json& root_;
  const GenerateOptions& options_;
  std::size_t nodes_ = 0;
  std::size_t string_bytes_ = 0;
};

}  // namespace

json generate_value(const json& schema, const json& root, const GenerateOptions& options) {
  Generator g(root, options);
  return g.value(schema, mix(options.seed), 0);
}

}  // namespace tollgate::contract
