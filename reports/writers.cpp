#include "reports/writers.h"

#include <filesystem>

#include "reports/html.h"

namespace tollgate::reports {

std::vector<std::string> write_reports(const metrics::RunResult& run, const std::string& dir, bool with_summary) {
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, std::string>> files;
  if (with_summary) files.emplace_back("summary.json", summary_json(run).dump(2) + "\n");
  files.emplace_back("junit.xml", junit_xml(run));
  files.emplace_back("metrics.prom", prometheus_text(run));
  files.emplace_back("report.html", html_report(run));
  std::vector<std::string> written;
  for (const auto& [name, content] : files) {
    written.push_back((std::filesystem::path(dir) / name).string());
    write_file_atomically(written.back(), content);
  }
  return written;
}

}  // namespace tollgate::reports
