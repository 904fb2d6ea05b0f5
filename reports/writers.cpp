#include "reports/writers.h"

#include <filesystem>
#include <functional>

#include "reports/html.h"

namespace tollgate::reports {

ReportFiles write_reports(const metrics::RunResult& run, const std::string& dir, bool with_summary) {
  using Render = std::function<std::string()>;
  std::vector<std::pair<std::string, Render>> files;
  // Invalid UTF-8 that reached a string anyway becomes U+FFFD: a report is
  // never lost to one byte.
  if (with_summary)
    files.emplace_back("summary.json", [&] { return summary_json(run).dump(2, ' ', false, json_replace) + "\n"; });
  files.emplace_back("junit.xml", [&] { return junit_xml(run); });
  files.emplace_back("metrics.prom", [&] { return prometheus_text(run); });
  files.emplace_back("report.html", [&] { return html_report(run); });
  ReportFiles out;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& [name, render] : files) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    // Each file on its own: one that cannot be written does not keep the
    // others from being written.
    try {
      write_file_atomically(path, render());
      out.written.push_back(path);
    } catch (const std::exception& e) {
      out.failed.push_back(path + ": " + e.what());
    }
  }
  return out;
}

}  // namespace tollgate::reports
