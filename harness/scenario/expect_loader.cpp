// A step's expectations: status, headers, body assertions by JSON Pointer,
// time, the contract, the stream.
#include <regex>

#include "harness/scenario/loader.h"

namespace tollgate::scenario {

using nlohmann::json;

void Loader::expect(Step& out, const json& e, const std::string& at, const Plan& plan) const {
  Expect& x = out.expect;
  if (e.contains("status")) {
    const json& st = e["status"];
    if (st.is_array())
      for (const auto& c : st) x.status.push_back(c.get<int>());
    else
      x.status.push_back(st.get<int>());
  }
  if (e.contains("headers")) expect_headers(x, e["headers"], at + "/headers");
  if (e.contains("body")) expect_body(x, e["body"], at + "/body");
  if (e.contains("max_time")) x.max_time = duration_at(at + "/max_time", e["max_time"]);
  x.contract = e.value("contract", false);
  if (x.contract && !plan.contract) fail(at + "/contract", "contract: true needs a contract: add 'spec: path/to/openapi.yaml'");
  if (x.contract && !out.op)
    fail(at + "/contract", out.method + " " + out.path + " is not an operation of " + plan.spec_file);
  x.stream = e.value("stream", false);
}

void Loader::expect_headers(Expect& x, const json& e, const std::string& at) const {
  for (auto& [name, v] : e.items()) {
    HeaderCheck h;
    h.name = name;
    if (v.is_string()) {
      h.kind = HeaderCheck::Kind::kEquals;
      h.value = v.get<std::string>();
    } else if (v.contains("present")) {
      h.kind = v["present"].get<bool>() ? HeaderCheck::Kind::kPresent : HeaderCheck::Kind::kAbsent;
    } else if (v.contains("equals")) {
      h.kind = HeaderCheck::Kind::kEquals;
      h.value = v["equals"].get<std::string>();
    } else {
      h.kind = HeaderCheck::Kind::kMatches;
      h.value = v["matches"].get<std::string>();
      regex_at(at + "/" + escape_pointer_token(name) + "/matches", h.value);
    }
    x.headers.push_back(std::move(h));
  }
}

// Each body assertion: a value to equal, or {equals, matches, type, length,
// one_of, exists}.
void Loader::expect_body(Expect& x, const json& e, const std::string& at) const {
  static const std::set<std::string> kKinds = {"equals", "matches", "type", "length", "one_of", "exists"};
  for (auto& [pointer, v] : e.items()) {
    const std::string bat = at + "/" + escape_pointer_token(pointer);
    if (!pointer.empty()) pointer_at(bat, pointer);
    bool structured = v.is_object() && !v.empty();
    if (structured)
      for (auto& [k, _] : v.items())
        if (!kKinds.count(k)) structured = false;
    if (!structured) {
      if (v.is_object() && !v.empty())
        fail(bat, "a body check is a value to equal, or one of: equals, matches, type, length, one_of, exists");
      x.body.push_back({pointer, BodyCheck::Kind::kEquals, v});
      continue;
    }
    for (auto& [k, arg] : v.items()) x.body.push_back(body_check(pointer, k, arg, bat + "/" + k));
  }
}

BodyCheck Loader::body_check(const std::string& pointer, const std::string& k, const json& arg,
                             const std::string& at) const {
  BodyCheck b;
  b.pointer = pointer;
  if (k == "equals") {
    b.kind = BodyCheck::Kind::kEquals;
    b.value = arg;
  } else if (k == "matches") {
    if (!arg.is_string()) fail(at, "matches takes a regular expression string");
    b.kind = BodyCheck::Kind::kMatches;
    b.value = arg;
    regex_at(at, arg.get<std::string>());
  } else if (k == "type") {
    static const std::set<std::string> kTypes = {"string", "number", "integer", "boolean", "array", "object", "null"};
    if (!arg.is_string() || !kTypes.count(arg.get<std::string>()))
      fail(at, "type is one of string, number, integer, boolean, array, object, null");
    b.kind = BodyCheck::Kind::kType;
    b.value = arg;
  } else if (k == "length") {
    b.kind = BodyCheck::Kind::kLength;
    if (arg.is_number_integer() && arg.get<std::int64_t>() >= 0) {
      b.min = b.max = arg.get<std::int64_t>();
    } else if (arg.is_object() && !arg.empty()) {
      for (auto& [lk, lv] : arg.items())
        if ((lk != "min" && lk != "max") || !lv.is_number_integer() || lv.get<std::int64_t>() < 0)
          fail(at, "length is a count, or {min: N, max: N}");
      b.min = arg.value("min", std::int64_t{0});
      b.max = arg.value("max", std::int64_t{-1});
    } else {
      fail(at, "length is a count, or {min: N, max: N}");
    }
  } else if (k == "one_of") {
    if (!arg.is_array() || arg.empty()) fail(at, "one_of takes a list of values");
    b.kind = BodyCheck::Kind::kOneOf;
    b.value = arg;
  } else {
    if (!arg.is_boolean()) fail(at, "exists takes true or false");
    b.kind = arg.get<bool>() ? BodyCheck::Kind::kExists : BodyCheck::Kind::kAbsent;
  }
  return b;
}

void Loader::regex_at(const std::string& at, const std::string& re) const {
  try {
    std::regex r(re);
  } catch (const std::regex_error& e) {
    fail(at, "'" + re + "' is not a regular expression: " + e.what());
  }
}

}  // namespace tollgate::scenario
