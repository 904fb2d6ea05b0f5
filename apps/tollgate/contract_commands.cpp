#include "apps/tollgate/contract_commands.h"

#include <iomanip>

#include "contract/contract.h"
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

}  // namespace tollgate::cli
