#include "harness/check/check_names.h"

#include <algorithm>

namespace tollgate::check {

using nlohmann::json;
using scenario::BodyCheck;
using scenario::HeaderCheck;

namespace {

std::string short_json(const json& v, std::size_t max = 120) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

std::string type_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

std::optional<std::string> length_failure(const BodyCheck& b, const std::string& at, const json& v) {
  std::int64_t n = -1;
  if (v.is_string()) n = static_cast<std::int64_t>(v.get<std::string>().size());
  else if (v.is_array() || v.is_object()) n = static_cast<std::int64_t>(v.size());
  if (n < 0) return at + " is " + type_of(v) + ", which has no length";
  if (n < b.min || (b.max >= 0 && n > b.max)) return at + " has length " + std::to_string(n);
  return std::nullopt;
}

}  // namespace

std::string status_name(const std::vector<int>& expected) {
  if (expected.empty()) return "status < 400";
  if (expected.size() == 1) return "status " + std::to_string(expected[0]);
  // Runs of three or more consecutive codes as ranges: "status in [200-299, 404]".
  std::string s = "status in [";
  for (std::size_t i = 0; i < expected.size();) {
    std::size_t j = i;
    while (j + 1 < expected.size() && expected[j + 1] == expected[j] + 1) ++j;
    s += (i ? ", " : "") + std::to_string(expected[i]);
    if (j >= i + 2) {
      s += "-" + std::to_string(expected[j]);
      i = j + 1;
    } else {
      ++i;
    }
  }
  return s + "]";
}

std::string header_name(const HeaderCheck& h) {
  switch (h.kind) {
    case HeaderCheck::Kind::kPresent: return "header " + h.name + " present";
    case HeaderCheck::Kind::kAbsent: return "header " + h.name + " absent";
    case HeaderCheck::Kind::kEquals: return "header " + h.name + " == " + h.value;
    case HeaderCheck::Kind::kMatches: return "header " + h.name + " matches " + h.value;
  }
  return "header " + h.name;
}

std::string body_name(const BodyCheck& b) {
  const std::string p = "body " + (b.pointer.empty() ? std::string("(root)") : b.pointer);
  switch (b.kind) {
    case BodyCheck::Kind::kEquals: return p + " == " + short_json(b.value, 60);
    case BodyCheck::Kind::kMatches: return p + " matches " + b.value.get<std::string>();
    case BodyCheck::Kind::kType: return p + " is " + b.value.get<std::string>();
    case BodyCheck::Kind::kLength:
      if (b.max == b.min) return p + " has length " + std::to_string(b.min);
      return p + " has length >= " + std::to_string(b.min) + (b.max >= 0 ? " and <= " + std::to_string(b.max) : "");
    case BodyCheck::Kind::kOneOf: return p + " one of " + short_json(b.value, 60);
    case BodyCheck::Kind::kExists: return p + " exists";
    case BodyCheck::Kind::kAbsent: return p + " is absent";
  }
  return p;
}

std::string extract_name(const std::vector<scenario::Extract>& extracts) {
  std::string vars;
  for (const auto& e : extracts) vars += (vars.empty() ? "" : ", ") + e.var;
  return "extract " + vars;
}

std::string poll_name(const scenario::Poll& poll) {
  std::string values;
  for (const auto& v : poll.values) values += (values.empty() ? "" : ", ") + v.dump();
  return "poll until " + poll.pointer + " in [" + values + "]";
}

std::optional<std::string> body_failure(const BodyCheck& b, const json& doc, const std::regex* re) {
  const std::string at = b.pointer.empty() ? "the body" : b.pointer;
  const json::json_pointer ptr(b.pointer);
  const bool present = doc.contains(ptr);
  if (b.kind == BodyCheck::Kind::kAbsent) {
    if (present) return at + " is present: " + short_json(doc.at(ptr));
    return std::nullopt;
  }
  if (!present) return at + " is missing";
  const json& v = doc.at(ptr);
  switch (b.kind) {
    case BodyCheck::Kind::kEquals:
      if (v != b.value) return at + " is " + short_json(v) + ", expected " + short_json(b.value);
      break;
    case BodyCheck::Kind::kMatches: {
      const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      if (!std::regex_search(s, *re)) return at + " " + short_json(v) + " does not match " + b.value.get<std::string>();
      break;
    }
    case BodyCheck::Kind::kType: {
      const std::string want = b.value.get<std::string>();
      const std::string got = type_of(v);
      if (!(got == want || (want == "number" && got == "integer"))) return at + " is " + got + ", expected " + want;
      break;
    }
    case BodyCheck::Kind::kLength: return length_failure(b, at, v);
    case BodyCheck::Kind::kOneOf:
      if (std::find(b.value.begin(), b.value.end(), v) == b.value.end())
        return at + " is " + short_json(v) + ", expected one of " + short_json(b.value);
      break;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace tollgate::check
