#include "apps/tollgate/contract_commands.h"

#include <iomanip>

#include "common/printable.h"
#include "contract/contract.h"
#include "contract/diff.h"
#include "contract/lint.h"
#include "apps/tollgate/exit_codes.h"

namespace tollgate::cli {

int contract_lint(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int code = kOk;
  for (const auto& file : files) {
    try {
      const auto contract = contract::Contract::load(file);
      const auto report = contract::lint(*contract);
      for (const auto& issue : report.issues) out << issue.where.to_string() << ": " << issue.message << "\n";
      out << file << ": " << (report.issues.empty() ? "ok" : std::to_string(report.issues.size()) + " problem(s)")
          << " (" << report.operations << " operations, " << report.examples_checked << " examples checked)\n";
      if (!report.issues.empty() && code == kOk) code = kFailed;
    } catch (const SourceError& e) {
      err << e.what() << "\n";
      code = kBadInput;
    }
  }
  return code;
}

int contract_ops(const std::string& file, std::ostream& out, std::ostream& err) {
  try {
    const auto contract = contract::Contract::load(file);
    for (const auto& op : contract->operations()) {
      std::string statuses;
      for (const auto& r : op.responses) statuses += (statuses.empty() ? "" : ",") + r.status;
      out << std::left << std::setw(7) << op.method << " " << std::setw(34) << op.path << " "
          << std::setw(24) << (op.id.empty() ? "-" : op.id) << " " << statuses << "\n";
    }
    return kOk;
  } catch (const SourceError& e) {
    err << e.what() << "\n";
    return kBadInput;
  }
}

namespace {

// A contract's names are text from a file: printable, and no '|' or line
// break to cut a markdown table.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : printable(s, 400)) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

void diff_text(const contract::DiffReport& r, std::ostream& out) {
  for (const auto& c : r.changes) {
    out << (c.breaking ? "BREAKING      " : "non-breaking  ") << printable(c.operation.empty() ? "-" : c.operation, 200)
        << "  " << printable(c.where, 300) << (c.where.empty() ? "" : ": ") << printable(c.what, 300);
    if (!c.at.file.empty()) out << "  (" << printable(c.at.to_string(), 300) << ")";
    out << "\n";
  }
}

void diff_markdown(const contract::DiffReport& r, std::ostream& out) {
  if (r.changes.empty()) return;
  out << "| class | operation | where | change |\n| --- | --- | --- | --- |\n";
  for (const auto& c : r.changes)
    out << "| " << (c.breaking ? "**breaking**" : "non-breaking") << " | " << cell(c.operation) << " | " << cell(c.where)
        << " | " << cell(c.what) << " |\n";
  out << "\n";
}

void diff_json(const contract::DiffReport& r, const std::string& older, const std::string& newer, std::ostream& out) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : r.changes)
    changes.push_back({{"class", c.breaking ? "breaking" : "non-breaking"},
                       {"operation", c.operation},
                       {"where", c.where},
                       {"change", c.what},
                       {"at", c.at.file.empty() ? "" : c.at.to_string()}});
  const nlohmann::json doc = {{"old", older},
                              {"new", newer},
                              {"breaking", r.breaking()},
                              {"non_breaking", r.changes.size() - r.breaking()},
                              {"changes", std::move(changes)}};
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

int contract_diff(const std::string& older, const std::string& newer, const std::string& format, std::ostream& out,
                  std::ostream& err) {
  std::shared_ptr<const contract::Contract> a, b;
  try {
    a = contract::Contract::load(older);
    b = contract::Contract::load(newer);
  } catch (const SourceError& e) {
    err << e.what() << "\n";
    return kBadInput;
  }
  const auto report = contract::diff(*a, *b);
  const std::size_t breaking = report.breaking();
  if (format == "json") {
    diff_json(report, older, newer, out);
  } else {
    const bool md = format == "markdown";
    md ? diff_markdown(report, out) : diff_text(report, out);
    out << (md ? "**" : "") << breaking << " breaking, " << report.changes.size() - breaking << " non-breaking change"
        << (report.changes.size() - breaking == 1 ? "" : "s") << (md ? "**" : "") << " (" << printable(older, 200)
        << " -> " << printable(newer, 200) << ")\n";
  }
  return breaking ? kFailed : kOk;
}

}  // namespace tollgate::cli
