#include "common/yaml_json.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <cctype>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace tollgate {
namespace {

constexpr int kMaxDepth = 256;

SourceLocation location_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

// [-+]?[0-9]+ (by hand: std::regex recursion overflows on long input).
bool is_integer_text(const std::string& s) {
  std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float_text(const std::string& s) {
  std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool is_null_word(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

// A plain scalar resolved by the YAML 1.2 core schema.
nlohmann::json resolve_plain(const std::string& s) {
  if (is_null_word(s)) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;

  if (is_integer_text(s)) {
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    const char* end = s.data() + s.size();
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) return i;
    std::uint64_t u = 0;
    if (auto [p, ec] = std::from_chars(begin, end, u); ec == std::errc() && p == end) return u;
    return std::strtod(s.c_str(), nullptr);  // too large for 64 bits: keep the magnitude
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    std::uint64_t u = 0;
    const int base = s[1] == 'x' ? 16 : 8;
    if (auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), u, base);
        ec == std::errc() && p == s.data() + s.size() && u <= std::uint64_t(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(u);
  }
  if (is_float_text(s)) return std::strtod(s.c_str(), nullptr);
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") return std::numeric_limits<double>::infinity();
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  return s;
}

// What aliases may expand a document to: values and scalar bytes in
// proportion to its text (a document without aliases stays far below),
// so that a few hundred bytes of nested aliases (a "billion laughs") are
// refused after a few milliseconds instead of taking seconds and
// gigabytes.
struct Budget {
  std::size_t values, bytes;
  explicit Budget(std::size_t text) : values(10'000 + 16 * text), bytes((1 << 20) + 16 * text) {}
};

class Converter {
 public:
  Converter(const std::string& file, SourceMap& sources, Budget budget)
      : file_(file), sources_(sources), budget_(budget) {}

  nlohmann::json convert(const YAML::Node& node, std::string& pointer, int depth) {
    if (depth > kMaxDepth)
      throw SourceError(location_of(file_, node.Mark()), "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    spend(node, 1, node.IsScalar() ? node.Scalar().size() : 0);
    const YAML::Mark mark = node.Mark();
    if (!mark.is_null()) sources_.add(pointer, mark.line + 1, mark.column + 1);

    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        // yaml-cpp tags quoted scalars "!" and plain ones "?".
        if (node.Tag() == "?") return resolve_plain(node.Scalar());
        return node.Scalar();
      case YAML::NodeType::Sequence: {
        nlohmann::json out = nlohmann::json::array();
        const std::size_t base = pointer.size();
        std::size_t index = 0;
        for (const auto& item : node) {
          pointer += '/';
          pointer += std::to_string(index++);
          out.push_back(convert(item, pointer, depth + 1));
          pointer.resize(base);
        }
        return out;
      }
      case YAML::NodeType::Map: {
        nlohmann::json out = nlohmann::json::object();
        const std::size_t base = pointer.size();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar())
            throw SourceError(location_of(file_, kv.first.Mark()), "mapping keys must be scalars");
          const std::string& key = kv.first.Scalar();
          if (out.contains(key))
            throw SourceError(location_of(file_, kv.first.Mark()), "duplicate key '" + key + "'");
          pointer += '/';
          pointer += escape_pointer_token(key);
          if (!kv.first.Mark().is_null()) sources_.add_key(pointer, kv.first.Mark().line + 1, kv.first.Mark().column + 1);
          out[key] = convert(kv.second, pointer, depth + 1);
          pointer.resize(base);
        }
        return out;
      }
    }
    return nullptr;
  }

 private:
  void spend(const YAML::Node& node, std::size_t values, std::size_t bytes) {
    values_ += values;
    bytes_ += bytes;
    if (values_ > budget_.values || bytes_ > budget_.bytes)
      throw SourceError(location_of(file_, node.Mark()),
                        "the document expands to more than " +
                            (values_ > budget_.values ? std::to_string(budget_.values) + " values"
                                                      : std::to_string(budget_.bytes) + " bytes") +
                            " (aliases repeated too often)");
  }

  const std::string& file_;
  SourceMap& sources_;
  Budget budget_;
  std::size_t values_ = 0, bytes_ = 0;
};

}  // namespace

SourceLocation SourceMap::locate(const std::string& file, std::string_view pointer) const {
  std::string p(pointer);
  while (true) {
    if (auto it = marks_.find(p); it != marks_.end()) return {file, it->second.line, it->second.column};
    if (p.empty()) return {file, 0, 0};
    p.resize(p.rfind('/'));
  }
}

SourceLocation SourceMap::locate_key(const std::string& file, std::string_view pointer) const {
  if (auto it = keys_.find(std::string(pointer)); it != keys_.end()) return {file, it->second.line, it->second.column};
  return locate(file, pointer);
}

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

YamlDocument parse_yaml(const std::string& text, const std::string& file_name) {
  YamlDocument doc;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw SourceError(location_of(file_name, e.mark), e.msg);
  }
  std::string pointer;
  try {
    doc.value = Converter(file_name, doc.sources, Budget(text.size())).convert(root, pointer, 0);
  } catch (const YAML::Exception& e) {
    throw SourceError(location_of(file_name, e.mark), e.msg);
  }
  return doc;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SourceError({path, 0, 0}, "cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SourceError({path, 0, 0}, "cannot read file");
  return text.str();
}

YamlDocument load_yaml_file(const std::string& path) { return parse_yaml(read_text_file(path), path); }

}  // namespace tollgate

namespace tollgate {
namespace {

void walk_objects(const nlohmann::json& node, std::string& pointer,
                  const std::function<void(const nlohmann::json&, const std::string&)>& visit) {
  if (node.is_object()) {
    visit(node, pointer);
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::size_t base = pointer.size();
      pointer += '/' + escape_pointer_token(it.key());
      walk_objects(it.value(), pointer, visit);
      pointer.resize(base);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::size_t base = pointer.size();
      pointer += '/' + std::to_string(i);
      walk_objects(node[i], pointer, visit);
      pointer.resize(base);
    }
  }
}

}  // namespace

void for_each_object(const nlohmann::json& root,
                     const std::function<void(const nlohmann::json&, const std::string&)>& visit) {
  std::string pointer;
  walk_objects(root, pointer, visit);
}

}  // namespace tollgate
