#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/escape.h"
#include "reports/writers.h"

namespace tollgate::reports {

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

// A step whose requests failed in transport (connect, tls, timeout, reset,
// protocol, aborted): one test case with an <error> per kind, quoting what
// was said. Empty when there were none.
std::string transport_case(const std::string& classname, const metrics::StepMetrics& m) {
  std::string errors;
  for (std::size_t k = 1; k < m.errors.size(); ++k) {
    const auto kind = static_cast<metrics::ErrorKind>(k);
    if (!m.errors[k] || kind == metrics::ErrorKind::kStatus || kind == metrics::ErrorKind::kCheck) continue;
    const auto& said = m.error_samples[k];
    std::string detail;
    for (const auto& [msg, n] : said) detail += std::to_string(n) + "x " + msg + "\n";
    errors += "      <error type=\"" + std::string(metrics::error_kind_name(kind)) + "\" message=\"" +
              xml_escape(std::to_string(m.errors[k]) + " request(s)" + (said.empty() ? "" : ": " + said.front().first)) +
              "\">" + xml_escape(detail) + "</error>\n";
  }
  if (errors.empty()) return "";
  return "    <testcase classname=\"" + classname + "\" name=\"transport\" time=\"0\">\n" + errors + "    </testcase>\n";
}

namespace {

std::string skipped_case(const std::string& classname, const std::string& message) {
  return "    <testcase classname=\"" + classname + "\" name=\"supported by the target\" time=\"0\">\n"
         "      <skipped message=\"" + xml_escape(message.empty() ? "NOT SUPPORTED by the target (501)" : message) +
         "\"/>\n    </testcase>\n";
}

std::string check_case(const std::string& classname, const std::string& name, bool failed, const std::string& message,
                       const std::string& detail) {
  std::string out = "    <testcase classname=\"" + classname + "\" name=\"" + xml_escape(name) + "\" time=\"0\"";
  if (!failed) return out + "/>\n";
  return out + ">\n      <failure type=\"check\" message=\"" + xml_escape(message) + "\">" + xml_escape(detail) +
         "</failure>\n    </testcase>\n";
}

// A probe's scenario: one test case per operation (METHOD path for the
// undocumented-method cases) and check name, over every case of the
// operation; a failure lists the cases that failed it (50 at most).
std::string operation_cases(const metrics::ScenarioResult& s, int& tests, int& failures, int& errors, int& skipped) {
  struct Check {
    std::int64_t passed = 0, failed = 0;
    std::string first;
    std::vector<std::string> lines;
  };
  struct Group {
    std::vector<std::pair<std::string, Check>> checks;  // in the order first seen
    metrics::StepMetrics transport;                     // the operation's transport errors, merged
    std::int64_t unsupported = 0;
    std::string unsupported_message;
  };
  std::vector<std::pair<std::string, Group>> groups;
  for (const auto& st : s.steps) {
    const std::string key = st.operation.empty() ? st.method + " " + st.path : st.operation;
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == key; });
    if (g == groups.end()) g = groups.insert(groups.end(), {key, Group{}});
    auto& group = g->second;
    const auto& m = st.metrics;
    for (std::size_t k = 0; k < m.errors.size(); ++k) {
      group.transport.errors[k] += m.errors[k];
      for (const auto& [msg, n] : m.error_samples[k]) metrics::note_sample(group.transport.error_samples[k], st.name + ": " + msg, n);
    }
    if (m.unsupported > 0 && group.unsupported_message.empty()) group.unsupported_message = st.name + ": " + m.unsupported_message;
    group.unsupported += m.unsupported;
    for (const auto& c : m.checks) {
      auto it = std::find_if(group.checks.begin(), group.checks.end(), [&](const auto& x) { return x.first == c.name; });
      if (it == group.checks.end()) it = group.checks.insert(group.checks.end(), {c.name, Check{}});
      it->second.passed += c.passed;
      it->second.failed += c.failed;
      if (c.failed == 0) continue;
      const std::string said = c.samples.empty() ? "failed" : c.samples.front().first;
      if (it->second.first.empty()) it->second.first = st.name + ": " + said;
      if (it->second.lines.size() < 50) it->second.lines.push_back(st.name + ": " + said);
    }
  }
  std::string cases;
  for (const auto& [key, group] : groups) {
    const std::string classname = xml_escape(s.name + "." + key);
    if (const std::string t = transport_case(classname, group.transport); !t.empty()) {
      ++tests, ++errors;
      cases += t;
    }
    if (group.unsupported > 0) {
      ++tests, ++skipped;
      cases += skipped_case(classname, group.unsupported_message);
    }
    for (const auto& [name, c] : group.checks) {
      ++tests;
      std::string detail = std::to_string(c.failed) + " of " + std::to_string(c.passed + c.failed) + " failed\n";
      for (const auto& line : c.lines) detail += line + "\n";
      if (c.failed > static_cast<std::int64_t>(c.lines.size()))
        detail += "(and " + std::to_string(c.failed - static_cast<std::int64_t>(c.lines.size())) + " more)\n";
      failures += c.failed > 0;
      cases += check_case(classname, name, c.failed > 0, c.first, detail);
    }
  }
  return cases;
}

}  // namespace

std::string junit_xml(const metrics::RunResult& r) {
  std::string suites;
  int all_tests = 0, all_failures = 0, all_skipped = 0, all_errors = 0;
  for (const auto& s : r.scenarios) {
    std::string cases;
    int tests = 0, failures = 0, skipped = 0, errors = 0;
    if (r.info.junit_by_operation) {
      cases = operation_cases(s, tests, failures, errors, skipped);
    } else {
      for (const auto& st : s.steps) {
        const auto& m = st.metrics;
        const std::string classname = xml_escape(s.name + "." + st.name);
        if (const std::string t = transport_case(classname, m); !t.empty()) {
          ++tests, ++errors;
          cases += t;
        }
        if (m.unsupported > 0) {
          ++tests, ++skipped;
          cases += skipped_case(classname, m.unsupported_message);
        }
        for (const auto& c : m.checks) {
          ++tests;
          std::string detail = std::to_string(c.failed) + " of " + std::to_string(c.passed + c.failed) + " failed\n";
          for (const auto& [msg, n] : c.samples) detail += std::to_string(n) + "x " + msg + "\n";
          failures += c.failed > 0;
          cases += check_case(classname, c.name, c.failed > 0, c.samples.empty() ? "failed" : c.samples.front().first, detail);
        }
      }
    }
    all_tests += tests, all_failures += failures, all_skipped += skipped, all_errors += errors;
    suites += "  <testsuite name=\"" + xml_escape(s.name) + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
              std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
              seconds(s.duration_s) + "\">\n" + cases + "  </testsuite>\n";
  }
  std::string cases;
  int failures = 0;
  for (const auto& t : r.thresholds) {
    cases += "    <testcase classname=\"thresholds\" name=\"" + xml_escape(t.expr) + "\" time=\"0\"";
    if (t.passed) {
      cases += "/>\n";
      continue;
    }
    ++failures;
    const std::string actual = std::isnan(t.actual) ? "no data" : "actual " + metrics::shown_actual(t);
    cases += ">\n      <failure type=\"threshold\" message=\"" + xml_escape(t.expr + " (" + actual + ")") + "\"/>\n    </testcase>\n";
  }
  all_tests += static_cast<int>(r.thresholds.size());
  all_failures += failures;
  if (r.interrupted) {
    ++all_tests, ++all_failures;
    suites += "  <testsuite name=\"run\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"" +
              seconds(r.duration_s) + "\">\n    <testcase classname=\"run\" name=\"ran to its end\" time=\"" +
              seconds(r.duration_s) +
              "\">\n      <failure type=\"interrupted\" message=\"interrupted (Ctrl-C or SIGTERM): the figures cover what ran\"/>\n"
              "    </testcase>\n  </testsuite>\n";
  }
  suites += "  <testsuite name=\"thresholds\" tests=\"" + std::to_string(r.thresholds.size()) + "\" failures=\"" +
            std::to_string(failures) + "\" errors=\"0\" skipped=\"0\" time=\"0\">\n" + cases + "  </testsuite>\n";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + xml_escape(r.info.scenario_file) + "\" tests=\"" +
         std::to_string(all_tests) + "\" failures=\"" + std::to_string(all_failures) + "\" errors=\"" +
         std::to_string(all_errors) + "\" skipped=\"" +
         std::to_string(all_skipped) + "\" time=\"" + seconds(r.duration_s) + "\">\n" + suites +
         "</testsuites>\n";
}

}  // namespace tollgate::reports
