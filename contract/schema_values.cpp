#include "contract/schema_values.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <regex>
#include <unordered_map>

namespace tollgate::contract {

using nlohmann::json;

bool is_integral(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

std::string brief(const json& value) {
  std::string s = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string json_type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    case json::value_t::number_float: return is_integral(v) ? "integer" : "number";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    default: return "binary";
  }
}

bool type_matches(const std::string& type, const json& v) {
  if (type == "string") return v.is_string();
  if (type == "integer") return is_integral(v);
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();  // JSON Schema; OpenAPI 3.0 says nullable
  return false;
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

namespace {

std::string number_text(const json& v) { return v.dump(); }

bool valid_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  (void)y;
  return m >= 1 && m <= 12 && d >= 1 && d <= kDays[m - 1];
}

}  // namespace

std::string format_problem(const std::string& format, const json& v) {
  if (format == "int32" || format == "int64") {
    if (!v.is_number()) return "";
    const bool is32 = format == "int32";
    const double lo = is32 ? -2147483648.0 : -9223372036854775808.0;
    const double hi = is32 ? 2147483647.0 : 9223372036854775807.0;
    bool ok;
    if (v.is_number_unsigned())
      ok = is32 ? v.get<std::uint64_t>() <= 2147483647u
                : v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<std::int64_t>::max());
    else if (v.is_number_integer())
      ok = !is32 || (v.get<std::int64_t>() >= -2147483648LL && v.get<std::int64_t>() <= 2147483647LL);
    else
      ok = v.get<double>() >= lo && v.get<double>() < (is32 ? hi + 1 : hi);
    return ok ? "" : number_text(v) + " does not fit format " + format;
  }
  if (!v.is_string()) return "";
  const std::string& s = v.get_ref<const std::string&>();
  if (format == "date-time") {
    static const std::regex re(
        R"(^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$)");
    std::smatch m;
    if (s.size() <= 64 && std::regex_match(s, m, re) && valid_date(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])) &&
        std::stoi(m[4]) < 24 && std::stoi(m[5]) < 60 && std::stoi(m[6]) < 61 &&
        (!m[9].matched || (std::stoi(m[9]) < 24 && std::stoi(m[10]) < 60)))
      return "";
    return "'" + brief(v).substr(1, 40) + "' is not an RFC 3339 date-time";
  }
  if (format == "date") {
    static const std::regex re(R"(^(\d{4})-(\d{2})-(\d{2})$)");
    std::smatch m;
    if (s.size() == 10 && std::regex_match(s, m, re) && valid_date(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])))
      return "";
    return "'" + brief(v).substr(1, 40) + "' is not an RFC 3339 full-date";
  }
  // Loops, not std::regex: its recursion would overflow the stack on long values.
  if (format == "uri") {
    const auto colon = s.find(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < s.size() &&
              std::isalpha(static_cast<unsigned char>(s[0]));
    for (std::size_t i = 0; ok && i < colon; ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      ok = std::isalnum(c) || c == '+' || c == '.' || c == '-';
    }
    for (std::size_t i = colon + 1; ok && i < s.size(); ++i) ok = !std::isspace(static_cast<unsigned char>(s[i]));
    if (ok) return "";
    return "'" + brief(v).substr(1, 40) + "' is not an absolute URI";
  }
  if (format == "byte") {
    std::size_t pad = 0;
    bool ok = s.size() % 4 == 0;
    for (std::size_t i = 0; ok && i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '=') {
        ok = ++pad <= 2;
      } else {
        ok = pad == 0 && (std::isalnum(c) || c == '+' || c == '/');
      }
    }
    if (ok) return "";
    return "not base64-encoded bytes";
  }
  if (format == "uuid") {
    static const std::regex re(R"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)");
    if (s.size() == 36 && std::regex_match(s, re)) return "";
    return "'" + brief(v).substr(1, 40) + "' is not a UUID";
  }
  if (format == "email") {
    const auto at = s.find('@');
    const bool ok = at != std::string::npos && at > 0 && s.find('@', at + 1) == std::string::npos &&
                    s.find('.', at + 2) != std::string::npos && s.back() != '.' &&
                    std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    if (ok) return "";
    return "'" + brief(v).substr(1, 40) + "' is not an e-mail address";
  }
  return "";  // other formats are annotations
}


// The keywords validation reads, each with its bit in SchemaValidator::keywords_.
int keyword_bit(std::string_view key) {
  static const std::unordered_map<std::string_view, int> kBits = {
    {"$ref", 0},
    {"type", 1},
    {"nullable", 2},
    {"enum", 3},
    {"format", 4},
    {"minLength", 5},
    {"maxLength", 6},
    {"pattern", 7},
    {"minimum", 8},
    {"exclusiveMinimum", 9},
    {"maximum", 10},
    {"exclusiveMaximum", 11},
    {"multipleOf", 12},
    {"minItems", 13},
    {"maxItems", 14},
    {"uniqueItems", 15},
    {"items", 16},
    {"properties", 17},
    {"required", 18},
    {"minProperties", 19},
    {"maxProperties", 20},
    {"additionalProperties", 21},
    {"allOf", 22},
    {"not", 23},
    {"oneOf", 24},
    {"anyOf", 25},
    {"const", 26},
  };
  auto it = kBits.find(key);
  return it == kBits.end() ? -1 : it->second;
}

std::uint32_t keyword_mask(const json& node) {
  std::uint32_t mask = 0;
  if (!node.is_object()) return mask;
  for (auto it = node.begin(); it != node.end(); ++it)
    if (const int bit = keyword_bit(it.key()); bit >= 0) mask |= std::uint32_t{1} << bit;
  return mask;
}

// s.find(key) when the schema has keyword `bit`, else s.end() without a lookup.
json::const_iterator find_kw(const json& s, std::uint32_t mask, int bit, const char* key) {
  return (mask & (std::uint32_t{1} << bit)) ? s.find(key) : s.end();
}

bool has_kw(std::uint32_t mask, const char* key) {
  const int bit = keyword_bit(key);
  return bit < 0 || (mask & (std::uint32_t{1} << bit));
}

}  // namespace tollgate::contract
