#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace tollgate::cli {

/// `tollgate contract lint FILE...`: loads and lints each contract, prints
/// "file:line:column: problem" lines and a summary; returns an ExitCode.
int contract_lint(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

/// `tollgate contract ops FILE`: one line per operation (method, path,
/// operationId, documented statuses); returns an ExitCode.
int contract_ops(const std::string& file, std::ostream& out, std::ostream& err);

/// `tollgate contract diff OLD NEW`: every change between two versions of
/// a contract, classed breaking or not, as text, markdown or json; returns
/// kFailed when one is breaking.
int contract_diff(const std::string& older, const std::string& newer, const std::string& format, std::ostream& out,
                  std::ostream& err);

}  // namespace tollgate::cli
