#include "apps/tollgate/report_commands.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/tollgate/execute.h"
#include "apps/tollgate/exit_codes.h"
#include "common/source_error.h"
#include "harness/check/thresholds.h"
#include "reports/writers.h"
#include "reports/summary_reader.h"

namespace tollgate::cli {
namespace {

using nlohmann::json;

// The thresholds judged again on the run's own figures (a merged run's
// figures are new).
metrics::RunResult judged(reports::LoadedRun loaded) {
  loaded.run.thresholds = check::evaluate_again(loaded.run, loaded.path);
  return std::move(loaded.run);
}

int verdict(const metrics::RunResult& r, const std::string& out_dir, bool with_summary = true) {
  reports::write_summary_table(r, std::cout);
  if (!out_dir.empty()) {
    const auto files = reports::write_reports(r, out_dir, with_summary);
    std::cout << "reports:";
    for (const auto& w : files.written) std::cout << " " << w;
    std::cout << "\n";
    if (report_failures(files)) return kCannotRun;
  }
  std::cout << "result: " << (r.passed() ? "PASS" : "FAIL") << "\n";
  return r.passed() ? kOk : kFailed;
}

// One step's figures for comparing.
struct Figures {
  double rps = 0, error_rate = 0;
  double p50 = 0, p99 = 0, p999 = 0;  ///< ms
  std::int64_t requests = 0;
  std::map<std::string, std::int64_t> errors;
};

std::map<std::string, Figures> figures_of(const reports::LoadedRun& l) {
  std::map<std::string, Figures> out;
  for (const auto& s : l.run.scenarios)
    for (const auto& st : s.steps) {
      Figures f;
      const auto& m = st.metrics;
      f.requests = m.requests;
      f.rps = s.duration_s > 0 ? static_cast<double>(m.requests) / s.duration_s : 0;
      f.error_rate = m.requests ? static_cast<double>(m.error_count()) / static_cast<double>(m.requests) : 0;
      f.p50 = static_cast<double>(m.latency_us.value_at_percentile(50)) / 1000;
      f.p99 = static_cast<double>(m.latency_us.value_at_percentile(99)) / 1000;
      f.p999 = static_cast<double>(m.latency_us.value_at_percentile(99.9)) / 1000;
      for (std::size_t k = 1; k < m.errors.size(); ++k)
        if (m.errors[k]) f.errors[metrics::error_kind_name(static_cast<metrics::ErrorKind>(k))] = m.errors[k];
      out[s.name + " / " + st.name] = f;
    }
  return out;
}

std::string delta(double base, double next) {
  if (base == 0) return next == 0 ? "=" : "new";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", (next - base) / base * 100);
  return buf;
}

}  // namespace

// Runs `work`: a file that cannot be used is bad input (2), anything else
// that fails means the command could not proceed (3).
template <typename Work>
int guarded(const char* command, Work work) {
  try {
    return work();
  } catch (const SourceError& e) {
    std::cerr << "tollgate " << command << ": " << e.what() << "\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "tollgate " << command << ": " << e.what() << "\n";
    return kCannotRun;
  }
}

int report_command(const std::string& path, const std::string& out_dir) {
  return guarded("report", [&] {
    const auto loaded = reports::read_summary(path);
    // Without -o: the other reports again beside the summary, which stays as it is.
    const std::string dir = std::filesystem::path(loaded.path).parent_path().string();
    if (out_dir.empty()) return verdict(judged(loaded), dir, false);
    return verdict(judged(loaded), out_dir);
  });
}

int merge_command(const std::vector<std::string>& paths, const std::string& out_dir) {
  return guarded("merge", [&] {
    std::vector<reports::LoadedRun> runs;
    for (const auto& p : paths) runs.push_back(reports::read_summary(p));
    const auto merged = reports::merge_runs(runs);
    for (const auto& r : runs)  // a segment that came late ran its share of the run later than the others
      if (r.run.start_late_ms > 0)
        std::cout << "note: " << r.path << " (segment " << r.run.info.segment_index << "/" << r.run.info.segment_count
                  << ") started " << r.run.start_late_ms << " ms after its --start-at\n";
    std::cout << "merged " << runs.size() << " runs of " << merged.run.info.scenario_file << "\n";
    return verdict(judged(merged), out_dir);
  });
}

namespace {

// One row per step of either run: both runs' figures and what regressed.
json compare_rows(std::map<std::string, Figures>& base, std::map<std::string, Figures>& next, double tolerance,
                  std::vector<std::string>& regressions) {
  json rows = json::array();
  std::set<std::string> names;
  for (const auto& [k, v] : base) names.insert(k);
  for (const auto& [k, v] : next) names.insert(k);
  auto figures = [](const Figures& f) {
    return json{{"rps", f.rps}, {"error_rate", f.error_rate}, {"p50_ms", f.p50}, {"p99_ms", f.p99}, {"p999_ms", f.p999}};
  };
  for (const auto& name : names) {
    const bool in_base = base.count(name), in_next = next.count(name);
    json row = {{"step", name}};
    if (!in_base || !in_next) {
      row["only_in"] = in_base ? "base" : "new";
      rows.push_back(row);
      continue;
    }
    const Figures &b = base[name], &n = next[name];
    row["base"] = figures(b);
    row["new"] = figures(n);
    json why = json::array();
    if (b.p99 > 0 && n.p99 > b.p99 * (1 + tolerance)) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "p99 %.3f ms -> %.3f ms (%s, tolerance +%.0f%%)", b.p99, n.p99,
                    delta(b.p99, n.p99).c_str(), tolerance * 100);
      why.push_back(buf);
    }
    for (const auto& [kind, count] : n.errors)
      if (!b.errors.count(kind)) why.push_back("new error kind '" + kind + "' (" + std::to_string(count) + ")");
    row["regressions"] = why;
    for (const auto& w : why) regressions.push_back(name + ": " + w.get<std::string>());
    rows.push_back(row);
  }
  return rows;
}

std::string pair_cell(double b, double n, const char* fmt) {
  char buf[96], x[32], y[32];
  std::snprintf(x, sizeof x, fmt, b);
  std::snprintf(y, sizeof y, fmt, n);
  std::snprintf(buf, sizeof buf, "%s -> %s (%s)", x, y, delta(b, n).c_str());
  return buf;
}

// The rows as a text table or Markdown, then the regressions and the verdict.
void print_compare(const json& rows, std::map<std::string, Figures>& base, std::map<std::string, Figures>& next,
                   const std::vector<std::string>& regressions, bool md) {
  char line[512];
  if (md) {
    std::cout << "| step | rps | errors | p50 ms | p99 ms | p99.9 ms |\n| --- | --- | --- | --- | --- | --- |\n";
  } else {
    std::snprintf(line, sizeof line, "%-34s %20s %18s %24s %24s %24s\n", "step", "rps", "errors", "p50 ms", "p99 ms",
                  "p99.9 ms");
    std::cout << line;
  }
  for (const auto& row : rows) {
    const std::string name = row["step"];
    if (row.contains("only_in")) {
      std::cout << (md ? "| " + name + " | only in " + row["only_in"].get<std::string>() + " run | | | | |\n"
                       : name + ": only in the " + row["only_in"].get<std::string>() + " run\n");
      continue;
    }
    const Figures &b = base[name], &n = next[name];
    const std::string cells[] = {pair_cell(b.rps, n.rps, "%.1f"), pair_cell(b.error_rate * 100, n.error_rate * 100, "%.2f%%"),
                                 pair_cell(b.p50, n.p50, "%.3f"), pair_cell(b.p99, n.p99, "%.3f"),
                                 pair_cell(b.p999, n.p999, "%.3f")};
    if (md) {
      std::cout << "| " << name;
      for (const auto& c : cells) std::cout << " | " << c;
      std::cout << " |\n";
    } else {
      std::snprintf(line, sizeof line, "%-34.34s %20s %18s %24s %24s %24s\n", name.c_str(), cells[0].c_str(),
                    cells[1].c_str(), cells[2].c_str(), cells[3].c_str(), cells[4].c_str());
      std::cout << line;
    }
  }
  std::cout << "\n";
  for (const auto& r : regressions) std::cout << (md ? "- **regression** " : "REGRESSION ") << r << "\n";
  std::cout << (md ? "\n**result: " : "result: ") << (regressions.empty() ? "OK" : "REGRESSED") << (md ? "**\n" : "\n");
}

}  // namespace

int compare_command(const CompareFlags& flags) {
  std::map<std::string, Figures> base, next;
  try {
    base = figures_of(reports::read_summary(flags.base));
    next = figures_of(reports::read_summary(flags.next));
  } catch (const std::exception& e) {
    std::cerr << "tollgate compare: " << e.what() << "\n";
    return kBadInput;
  }
  std::vector<std::string> regressions;
  const json rows = compare_rows(base, next, flags.tolerance, regressions);
  const bool regressed = !regressions.empty();
  if (flags.format == "json")
    std::cout << json{{"base", flags.base}, {"new", flags.next}, {"tolerance", flags.tolerance}, {"steps", rows},
                      {"regressed", regressed}}
                     .dump(2, ' ', false, reports::json_replace)
              << "\n";
  else
    print_compare(rows, base, next, regressions, flags.format == "markdown");
  return regressed ? kFailed : kOk;
}

}  // namespace tollgate::cli
