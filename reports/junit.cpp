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

std::string junit_xml(const metrics::RunResult& r) {
  std::string suites;
  int all_tests = 0, all_failures = 0, all_skipped = 0, all_errors = 0;
  for (const auto& s : r.scenarios) {
    std::string cases;
    int tests = 0, failures = 0, skipped = 0, errors = 0;
    for (const auto& st : s.steps) {
      const auto& m = st.metrics;
      const std::string classname = xml_escape(s.name + "." + st.name);
      if (const std::string t = transport_case(classname, m); !t.empty()) {
        ++tests, ++errors;
        cases += t;
      }
      if (m.unsupported > 0) {
        ++tests, ++skipped;
        cases += "    <testcase classname=\"" + classname + "\" name=\"supported by the target\" time=\"0\">\n"
                 "      <skipped message=\"" + xml_escape(m.unsupported_message.empty() ? "NOT SUPPORTED by the target (501)"
                                                                               : m.unsupported_message) +
                 "\"/>\n    </testcase>\n";
      }
      for (const auto& c : m.checks) {
        ++tests;
        cases += "    <testcase classname=\"" + classname + "\" name=\"" + xml_escape(c.name) + "\" time=\"0\"";
        if (c.failed == 0) {
          cases += "/>\n";
          continue;
        }
        ++failures;
        const std::string first = c.samples.empty() ? "failed" : c.samples.front().first;
        std::string detail = std::to_string(c.failed) + " of " + std::to_string(c.passed + c.failed) + " failed\n";
        for (const auto& [msg, n] : c.samples) detail += std::to_string(n) + "x " + msg + "\n";
        cases += ">\n      <failure type=\"check\" message=\"" + xml_escape(first) + "\">" + xml_escape(detail) +
                 "</failure>\n    </testcase>\n";
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
