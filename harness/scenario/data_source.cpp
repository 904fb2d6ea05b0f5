// A scenario's data file: CSV (a header row names the columns; RFC 4180
// quoting) or JSON Lines (one object per line; its keys are the columns).
#include <filesystem>
#include <sstream>

#include "harness/scenario/loader.h"

namespace tollgate::scenario {

using nlohmann::json;

namespace {

std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& file) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, was_quoted = false;
  int line = 1;
  auto end_field = [&] {
    rows.back().push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      rows.emplace_back();
      ++line;
    } else {
      field += c;
    }
  }
  if (quoted) throw SourceError({file, line, 1}, "a quoted field is not closed");
  if (!field.empty() || !rows.back().empty() || was_quoted) rows.back().push_back(std::move(field));
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

void read_jsonl(const std::string& text, DataSource& out) {
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const json row = json::parse(line, nullptr, false);
    if (!row.is_object()) throw SourceError({out.file, line_no, 1}, "a JSON Lines row is one JSON object per line");
    if (out.columns.empty())
      for (auto& [k, _] : row.items()) out.columns.push_back(k);
    std::vector<json> values;
    for (const auto& c : out.columns) {
      if (!row.contains(c)) throw SourceError({out.file, line_no, 1}, "the row has no '" + c + "' (the first row has it)");
      values.push_back(row[c]);
    }
    out.rows.push_back(std::move(values));
  }
}

void read_csv(const std::string& text, DataSource& out) {
  auto rows = parse_csv(text, out.file);
  if (rows.empty()) throw SourceError({out.file, 0, 0}, out.file + " has no header row");
  for (const auto& c : rows.front()) out.columns.push_back(c);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() == 1 && rows[r][0].empty()) continue;
    if (rows[r].size() != out.columns.size())
      throw SourceError({out.file, static_cast<int>(r + 1), 1}, "row has " + std::to_string(rows[r].size()) +
                                                                    " fields, the header " +
                                                                    std::to_string(out.columns.size()));
    out.rows.emplace_back(rows[r].begin(), rows[r].end());
  }
}

}  // namespace

std::string Loader::read_rows_file(const json& d, const std::string& at, std::string& path, bool& random) const {
  std::filesystem::path file = d["file"].get<std::string>();
  if (file.is_relative()) file = std::filesystem::path(base_dir_) / file;
  path = file.lexically_normal().string();
  random = d.value("order", "sequential") == "random";
  try {
    return read_text_file(path);
  } catch (const std::exception& e) {
    fail(at + "/file", e.what());
  }
}

DataSource Loader::load_data(const json& d, const std::string& at) const {
  DataSource out;
  const std::string text = read_rows_file(d, at, out.file, out.random);
  if (out.file.ends_with(".jsonl") || out.file.ends_with(".ndjson")) {
    read_jsonl(text, out);
  } else {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) fail(at + "/file", out.file + " has no header row");
    read_csv(text, out);
  }
  for (const auto& c : out.columns)
    if (!is_variable_name(c))
      fail(at + "/file", out.file + ": column '" + c + "' is not a variable name (letters, digits and _)");
  if (out.rows.empty()) fail(at + "/file", out.file + " has no data rows");
  return out;
}

}  // namespace tollgate::scenario
