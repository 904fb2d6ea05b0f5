// The report writers on a fixed RunResult: golden junit.xml and
// metrics.prom, summary.json against its published schema and read back,
// HdrHistogram encoding, merge of split runs, compare, and masking.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "common/secrets.h"
#include "common/source_error.h"
#include "harness/check/thresholds.h"
#include "harness/metrics/hdr_codec.h"
#include "reports/hlog.h"
#include "reports/html.h"
#include "reports/writers.h"
#include "reports/summary.h"
#include "reports/summary_reader.h"
#include "tests/support/child_process.h"
#include "tests/support/summary_schema.h"

namespace tollgate::reports {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kSource = TOLLGATE_SOURCE_DIR;
const std::string kSecret = "sk-secret-key-123456";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs a shell command; its exit code and output.
std::pair<int, std::string> sh(const std::string& command) {
  test::Child c({"/bin/sh", "-c", command + " 2>&1"});
  std::string out = c.all_output(std::chrono::seconds(60));
  const int status = c.wait_exit(std::chrono::seconds(10));
  return {status == -1 ? -1 : WEXITSTATUS(status), out};
}

/// A run with every kind of figure, the same every time. `scale`
/// stretches latencies; `part`/`parts` keep every parts-th value.
metrics::RunResult fixed_run(double scale = 1.0, int part = 0, int parts = 1) {
  metrics::RunResult r;
  r.start_unix_ms = 1'767'225'600'000;
  r.end_unix_ms = r.start_unix_ms + 10'000;
  r.duration_s = 10;
  r.connections_opened = 4;
  metrics::ScenarioResult s;
  s.name = "chat";
  s.executor = "constant-arrival-rate";
  s.target_rps = 100.0 / parts;
  s.duration_s = 10;
  metrics::StepResult st;
  st.name = "create";
  st.operation = "createChatCompletion";
  st.method = "POST";
  st.path = "/v1/chat/completions";
  auto& m = st.metrics;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lat(std::log(2000), 0.7);
  for (int i = 0; i < 1000; ++i) {
    const auto v = static_cast<std::int64_t>(lat(rng) * scale);
    if (i % parts != part) continue;
    m.latency_us.record(v);
    m.service_time_us.record(v * 9 / 10);
    ++m.requests;
    const bool bad = i % 100 == 0;
    ++m.status[bad ? 500 : 200];
    if (bad) ++m.errors[static_cast<int>(metrics::ErrorKind::kStatus)];
    m.stream.get().ttft_us.record(v / 4);
    m.stream.get().itl_us.record(30 + i % 20);
    m.stream.get().streams++;
    m.stream.get().output_tokens += 20;
  }
  metrics::CheckStat status;
  status.name = "status";
  status.passed = m.status[200];
  status.failed = m.status[500];
  if (status.failed) status.samples = {{"expected 200, got 500 <internal & \"quoted\">", status.failed}};
  m.checks_passed = status.passed;
  m.checks_failed = status.failed;
  m.checks.push_back(status);
  s.iterations = m.requests;
  s.steps.push_back(st);
  metrics::StepResult unsupported;
  unsupported.name = "images";
  unsupported.method = "POST";
  unsupported.path = "/v1/images";
  unsupported.metrics.requests = 1;
  unsupported.metrics.status[501] = 1;
  unsupported.metrics.unsupported = 1;
  unsupported.metrics.unsupported_message = "POST /v1/images answered 501 Not Implemented";
  s.steps.push_back(unsupported);
  r.scenarios.push_back(s);
  return r;
}

struct Fixture {
  metrics::RunResult run;
  explicit Fixture(metrics::RunResult r) : run(std::move(r)) {
    const std::string command = "tollgate run chat.yaml --env API_KEY=" + kSecret +
                                " --env MODEL=gpt-4o -H 'Authorization: Bearer " + kSecret + "'";
    run.info = {"scenarios/chat.yaml", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "http://127.0.0.1:8080/aiproxy", mask_command_line(command, {{"Authorization", "Bearer " + kSecret}}),
                "0.1.0", true};
    run.thresholds = check::evaluate({scenario::parse_threshold("latency.p99 < 50ms", {}),
                                      scenario::parse_threshold("errors.rate < 0.5%", {})},
                                     run);
  }
};

void expect_golden(const std::string& name, const std::string& actual) {
  const fs::path golden = fs::path(kSource) / "tests/golden" / name;
  if (std::getenv("TOLLGATE_UPDATE_GOLDEN")) std::ofstream(golden) << actual;
  EXPECT_EQ(read(golden), actual) << "differs from " << golden
                                  << " (TOLLGATE_UPDATE_GOLDEN=1 rewrites it after a deliberate change)";
}

class Reports : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-reports-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(HdrCodec, RoundTripsEveryCountExactly) {
  metrics::Histogram h;
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(std::log(5000), 1.5);
  for (int i = 0; i < 100'000; ++i) h.record(std::min<std::int64_t>(static_cast<std::int64_t>(d(rng)), 3'000'000'000));
  h.record(0);
  h.record(1, 5);
  const std::string text = encode_histogram(h);
  EXPECT_TRUE(text.starts_with("HISTF")) << "HdrHistogram's V2 compressed cookie";
  std::string error;
  const auto back = decode_histogram(text, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->counts(), h.counts());
  EXPECT_EQ(back->total_count(), h.total_count());
  for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0})
    EXPECT_EQ(back->value_at_percentile(p), h.value_at_percentile(p)) << p;
  const auto empty = decode_histogram(encode_histogram(metrics::Histogram()));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->total_count(), 0);
  EXPECT_FALSE(decode_histogram("not base64!", &error));
  EXPECT_EQ(error, "not base64");
  EXPECT_FALSE(decode_histogram(base64_encode("HIST but not really"), &error));
  EXPECT_NE(error.find("cookie"), std::string::npos);
  EXPECT_EQ(base64_decode(base64_encode("a")), "a");
  EXPECT_EQ(base64_decode(base64_encode("ab")), "ab");
  EXPECT_EQ(base64_encode("abc"), "YWJj");
}

TEST_F(Reports, SummaryValidatesAgainstItsPublishedSchemaAndReadsBack) {
  Fixture f(fixed_run());
  const json summary = summary_json(f.run);
  EXPECT_EQ(test::summary_schema_errors(summary), "");
  // A wrong one is caught: the schema is not a formality.
  json broken = summary;
  broken["scenarios"][0]["steps"][0]["histograms"]["latency_us"] = "not a histogram";
  EXPECT_NE(test::summary_schema_errors(broken), "");

  // Golden, but for the machine it ran on.
  json stable = summary;
  stable["meta"]["host"] = "HOST";
  expect_golden("summary.json", stable.dump(2) + "\n");

  // Read back: the same figures, histograms and verdicts.
  write_file_atomically((dir_ / "summary.json").string(), summary.dump(2));
  const LoadedRun loaded = read_summary(dir_.string());
  const json again = summary_json(loaded.run);
  EXPECT_EQ(again["scenarios"], summary["scenarios"]);
  EXPECT_EQ(again["thresholds"], summary["thresholds"]);
  EXPECT_EQ(again["passed"], summary["passed"]);
}

TEST_F(Reports, BadSummariesAreRefusedNamingWhatIsWrong) {
  auto refused = [&](const std::string& text, const std::string& expected) {
    write_file_atomically((dir_ / "summary.json").string(), text);
    try {
      read_summary(dir_.string());
      ADD_FAILURE() << "accepted " << text.substr(0, 60);
    } catch (const SourceError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  refused("{", "not JSON");
  refused(R"({"format": "k6"})", "not a tollgate summary.json");
  refused(R"({"format": "tollgate-summary", "version": 1})", "version 1");
  Fixture f(fixed_run());
  json s = summary_json(f.run);
  s["scenarios"][0]["steps"][0]["histograms"]["latency_us"] = "HISTFAAAAA==";
  refused(s.dump(), "/scenarios/0/steps/0/histograms/latency_us");
}

TEST_F(Reports, JunitIsGoldenAndValidAgainstTheJunitSchema) {
  Fixture f(fixed_run());
  const std::string xml = junit_xml(f.run);
  expect_golden("junit.xml", xml);
  write_file_atomically((dir_ / "junit.xml").string(), xml);
  const auto [rc, out] = sh("xmllint --noout --schema " + kSource + "/reports/junit.xsd " + (dir_ / "junit.xml").string());
  EXPECT_EQ(rc, 0) << out;
  // The schema rejects what CI systems would.
  write_file_atomically((dir_ / "bad.xml").string(), "<testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>");
  EXPECT_NE(sh("xmllint --noout --schema " + kSource + "/reports/junit.xsd " + (dir_ / "bad.xml").string()).first, 0);
}

TEST_F(Reports, PrometheusTextIsGoldenAndParsedByThePrometheusParser) {
  Fixture f(fixed_run());
  const std::string text = prometheus_text(f.run);
  expect_golden("metrics.prom", text);
  write_file_atomically((dir_ / "metrics.prom").string(), text);
  const auto [rc, out] = sh(
      "/usr/bin/python3 -c \"import sys; from prometheus_client.parser import text_string_to_metric_families as p; "
      "fams = list(p(open(sys.argv[1]).read())); "
      "print(len(fams), sum(len(f.samples) for f in fams))\" " +
      (dir_ / "metrics.prom").string());
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(out.starts_with("11 ")) << "every family parsed: " << out;
}

TEST_F(Reports, MergedSplitRunsEqualTheSingleRun) {
  Fixture whole(fixed_run());
  std::vector<LoadedRun> parts;
  for (int p = 0; p < 3; ++p) {
    Fixture f(fixed_run(1.0, p, 3));
    const fs::path d = dir_ / ("part" + std::to_string(p));
    write_reports(f.run, d.string());
    parts.push_back(read_summary(d.string()));
  }
  const LoadedRun merged = merge_runs(parts);
  const auto& a = merged.run.scenarios.at(0).steps.at(0).metrics;
  const auto& b = whole.run.scenarios.at(0).steps.at(0).metrics;
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.errors, b.errors);
  EXPECT_EQ(a.latency_us.counts(), b.latency_us.counts());
  for (double p : {50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(a.latency_us.value_at_percentile(p), b.latency_us.value_at_percentile(p)) << p;
    EXPECT_EQ(a.stream->ttft_us.value_at_percentile(p), b.stream->ttft_us.value_at_percentile(p)) << p;
  }
  EXPECT_EQ(a.checks.at(0).failed, b.checks.at(0).failed);
  EXPECT_NEAR(merged.run.scenarios[0].target_rps, 100.0, 0.01) << "planned rates add";
  metrics::RunResult rejudged = merged.run;
  rejudged.thresholds = check::evaluate_again(rejudged, "merged");
  const json ms = summary_json(rejudged);
  const json ws = summary_json(whole.run);
  EXPECT_EQ(ms["scenarios"][0]["steps"][0]["latency_ms"], ws["scenarios"][0]["steps"][0]["latency_ms"]);
  // The same verdicts; errors.rate differs in the fourth digit, as each part
  // has its own answer from the unsupported step (1,003 requests, not 1,001).
  ASSERT_EQ(ms["thresholds"].size(), ws["thresholds"].size());
  for (std::size_t i = 0; i < ms["thresholds"].size(); ++i) {
    EXPECT_EQ(ms["thresholds"][i]["passed"], ws["thresholds"][i]["passed"]);
    EXPECT_NEAR(ms["thresholds"][i]["actual"].get<double>(), ws["thresholds"][i]["actual"].get<double>(), 1e-4);
  }
  // The time series line up by wall clock: a run that started 1 s later
  // adds its first second to the other's second.
  parts[0].run.series = {{1.0, 1.0, 2, {{10, 0, 1.0, 2.0, 3.0, 4.0}}}, {2.0, 1.0, 2, {{10, 1, 1.0, 2.0, 3.0, 4.0}}}};
  parts[1].run.start_unix_ms = parts[0].run.start_unix_ms + 1000;
  parts[1].run.series = {{1.0, 1.0, 3, {{30, 0, 3.0, 4.0, 9.0, 12.0}}}};
  // Summaries written before the seconds' histograms were kept: the
  // merged second's percentiles are approximated.
  parts[0].run.series_histograms = parts[1].run.series_histograms = false;
  const auto aligned = merge_runs({parts[0], parts[1]}).run.series;
  ASSERT_EQ(aligned.size(), 2u);
  EXPECT_EQ(aligned[0].steps[0].requests, 10);
  EXPECT_EQ(aligned[1].steps[0].requests, 40);
  EXPECT_EQ(aligned[1].steps[0].errors, 1);
  EXPECT_EQ(aligned[1].in_flight, 5);
  EXPECT_DOUBLE_EQ(aligned[1].steps[0].p50_ms, 2.5) << "request-weighted";
  EXPECT_DOUBLE_EQ(aligned[1].steps[0].p99_ms, 9.0) << "the highest";
  // With the seconds' histograms: a merged second is their sum, exactly,
  // and a second whose requests were all cut off (none has a latency)
  // keeps it exact.
  metrics::Histogram fast, slow, both;
  for (int i = 1; i <= 100; ++i) {
    fast.record(i * 10);
    slow.record(i * 1000);
    both.record(i * 10);
    both.record(i * 1000);
  }
  parts[0].run.series_histograms = parts[1].run.series_histograms = true;
  parts[0].run.series = {{1.0, 1.0, 0, {{100, 0, 0.5, 0.9, 1.0, 1.0}}}, {2.0, 1.0, 0, {{100, 0, 0.5, 0.9, 1.0, 1.0}}}};
  parts[0].run.series[1].steps[0].latency_hdr = encode_histogram(fast);
  parts[1].run.series = {{1.0, 1.0, 0, {{100, 0, 50, 90, 100, 100}}}, {2.0, 1.0, 0, {{3, 3, 0, 0, 0, 0}}}};
  parts[1].run.series[0].steps[0].latency_hdr = encode_histogram(slow);
  const auto exact = merge_runs({parts[0], parts[1]}).run.series;
  ASSERT_EQ(exact.size(), 3u);
  EXPECT_EQ(exact[1].steps[0].requests, 200);
  EXPECT_DOUBLE_EQ(exact[1].steps[0].p50_ms, static_cast<double>(both.value_at_percentile(50)) / 1000);
  EXPECT_DOUBLE_EQ(exact[1].steps[0].p99_ms, static_cast<double>(both.value_at_percentile(99)) / 1000);
  EXPECT_EQ(decode_histogram(exact[1].steps[0].latency_hdr)->counts(), both.counts());
  EXPECT_EQ(exact[2].steps[0].requests, 3);
  EXPECT_DOUBLE_EQ(exact[2].steps[0].p99_ms, 0) << "no latency in that second";
  // Another scenario file does not merge.
  LoadedRun other = parts[1];
  other.run.info.scenario_sha256 = "ffff" + other.run.info.scenario_sha256.substr(4);
  EXPECT_THROW(merge_runs({parts[0], other}), SourceError);
}

TEST_F(Reports, CompareFlagsARegressionAndPassesAnEqualRun) {
  Fixture base(fixed_run());
  Fixture same(fixed_run());
  Fixture slower(fixed_run(1.5));
  write_reports(base.run, (dir_ / "base").string());
  write_reports(same.run, (dir_ / "same").string());
  write_reports(slower.run, (dir_ / "slower").string());
  const std::string bin = TOLLGATE_BINARY;
  auto [rc, out] = sh(bin + " compare " + (dir_ / "base").string() + " " + (dir_ / "same").string());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("result: OK"), std::string::npos) << out;
  std::tie(rc, out) = sh(bin + " compare " + (dir_ / "base").string() + " " + (dir_ / "slower").string());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("REGRESSION chat / create: p99"), std::string::npos) << out;
  std::tie(rc, out) = sh(bin + " compare " + (dir_ / "base").string() + " " + (dir_ / "slower").string() +
                         " --tolerance 60% --format markdown");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("| chat / create |"), std::string::npos) << out;
  std::tie(rc, out) = sh(bin + " compare " + (dir_ / "base").string() + " " + (dir_ / "slower").string() +
                         " --format json");
  EXPECT_EQ(json::parse(out)["regressed"], true);
  // A kind of error the base run never had is a regression at any latency.
  Fixture timeouts(fixed_run());
  timeouts.run.scenarios[0].steps[0].metrics.errors[static_cast<int>(metrics::ErrorKind::kTimeout)] = 3;
  write_reports(timeouts.run, (dir_ / "timeouts").string());
  std::tie(rc, out) = sh(bin + " compare " + (dir_ / "base").string() + " " + (dir_ / "timeouts").string());
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("new error kind 'timeout' (3)"), std::string::npos) << out;
  std::tie(rc, out) = sh(bin + " compare " + (dir_ / "base").string() + " /nonexistent");
  EXPECT_EQ(rc, 2) << out;
  // report: the same reports again from the summary.
  std::tie(rc, out) = sh(bin + " report " + (dir_ / "base").string() + " -o " + (dir_ / "again").string());
  EXPECT_EQ(read(dir_ / "again/junit.xml"), read(dir_ / "base/junit.xml"));
  EXPECT_EQ(read(dir_ / "again/metrics.prom"), read(dir_ / "base/metrics.prom"));
  EXPECT_EQ(rc, 1) << "errors.rate 1% fails its threshold: " << out;
}

TEST_F(Reports, TransportMessagesAreInEveryReportAndReadBack) {
  Fixture f(fixed_run());
  auto& m = f.run.scenarios[0].steps[0].metrics;
  m.errors[static_cast<int>(metrics::ErrorKind::kTimeout)] = 3;
  metrics::note_sample(m.error_samples[static_cast<int>(metrics::ErrorKind::kTimeout)], "read: timed out", 3);
  m.errors[static_cast<int>(metrics::ErrorKind::kConnect)] = 1;
  metrics::note_sample(m.error_samples[static_cast<int>(metrics::ErrorKind::kConnect)],
                       "connect to 127.0.0.1:9: Connection refused");
  const auto files = write_reports(f.run, dir_.string());
  ASSERT_TRUE(files.failed.empty());
  const LoadedRun loaded = read_summary(dir_.string());
  const auto& back = loaded.run.scenarios[0].steps[0].metrics;
  EXPECT_EQ(back.error_samples[static_cast<int>(metrics::ErrorKind::kTimeout)],
            (metrics::Samples{{"read: timed out", 3}}));
  EXPECT_EQ(back.error_samples[static_cast<int>(metrics::ErrorKind::kConnect)].size(), 1u);
  const std::string junit = read(dir_ / "junit.xml");
  EXPECT_NE(junit.find(R"(<error type="timeout" message="3 request(s): read: timed out">)"), std::string::npos) << junit;
  EXPECT_NE(junit.find(R"(<error type="connect")"), std::string::npos) << junit;
  const auto [rc, out] = sh("xmllint --noout --schema " + kSource + "/reports/junit.xsd " + (dir_ / "junit.xml").string());
  EXPECT_EQ(rc, 0) << out;
  std::ostringstream text;
  write_summary_table(f.run, text);
  EXPECT_NE(text.str().find("timeout: 3x read: timed out"), std::string::npos) << text.str();
}

TEST_F(Reports, BytesThatAreNotUtf8NeverCostAReport) {
  // The harness makes every message printable (common/printable.h); a
  // string that reaches a report raw anyway must not lose the report.
  Fixture f(fixed_run());
  f.run.scenarios[0].steps[0].metrics.checks[0].samples = {{"got 503: caf\xE9 \xFF", 10}};
  const auto files = write_reports(f.run, dir_.string());
  EXPECT_TRUE(files.failed.empty()) << files.failed.front();
  ASSERT_EQ(files.written.size(), 4u);
  const json s = json::parse(read(dir_ / "summary.json"));  // parses: valid UTF-8
  EXPECT_NE(s.dump().find("caf\xEF\xBF\xBD"), std::string::npos) << "U+FFFD where the byte was";
}

TEST_F(Reports, AReportThatCannotBeWrittenDoesNotStopTheOthers) {
  Fixture f(fixed_run());
  fs::create_directories(dir_ / "report.html" / "in-the-way");  // a directory where the file goes
  const auto files = write_reports(f.run, dir_.string());
  ASSERT_EQ(files.failed.size(), 1u);
  EXPECT_EQ(files.failed[0].rfind((dir_ / "report.html").string(), 0), 0u) << files.failed[0];
  EXPECT_EQ(files.written.size(), 3u);
  EXPECT_TRUE(fs::is_regular_file(dir_ / "summary.json"));
  EXPECT_TRUE(fs::is_regular_file(dir_ / "junit.xml"));
  EXPECT_TRUE(fs::is_regular_file(dir_ / "metrics.prom"));
}

TEST_F(Reports, NoSecretInAnyOutput) {
  Fixture f(fixed_run());
  const auto files = write_reports(f.run, dir_.string());
  EXPECT_TRUE(files.failed.empty());
  for (const auto& path : files.written) {
    const std::string text = read(path);
    EXPECT_EQ(text.find(kSecret), std::string::npos) << path;
  }
  const json s = json::parse(read(dir_ / "summary.json"));
  const std::string cmd = s["meta"]["command_line"];
  EXPECT_NE(cmd.find("API_KEY=****"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("MODEL=gpt-4o"), std::string::npos) << "only secrets are masked: " << cmd;
}

}  // namespace
}  // namespace tollgate::reports

namespace tollgate::reports {
namespace {

// latency.hlog read by HdrHistogram's own Java log processor: the same
// count, max and percentiles as the histograms Tollgate holds.
TEST_F(Reports, IntervalLogIsReadByHdrHistogramsLogProcessor) {
  const metrics::RunResult run = fixed_run();
  const auto& whole = run.scenarios[0].steps[0].metrics.latency_us;
  // Three intervals that together hold every value of the step.
  std::vector<metrics::Histogram> parts(3);
  {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> lat(std::log(2000), 0.7);
    for (int i = 0; i < 1000; ++i) parts[static_cast<std::size_t>(i % 3)].record(static_cast<std::int64_t>(lat(rng)));
  }
  {
    IntervalLog log(dir_.string(), 1'767'225'600'000, {IntervalLog::tag_of("chat", "create call")});
    for (std::size_t k = 0; k < parts.size(); ++k)
      log.write(1'767'225'600'000, static_cast<double>(k), static_cast<double>(k + 1), {&parts[k]});
    log.finish();
  }
  EXPECT_FALSE(fs::exists(dir_ / "latency.hlog.tmp"));
  const std::string processor = "java -cp /usr/share/java/hdrhistogram.jar org.HdrHistogram.HistogramLogProcessor -i " +
                                (dir_ / "latency.hlog").string() + " -tag chat/create_call -outputValueUnitRatio 1000";
  auto [rc, out] = sh(processor);
  ASSERT_EQ(rc, 0) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(#\[Max\s*=\s*([0-9.]+), Total count\s*=\s*([0-9]+)\])"))) << out;
  EXPECT_EQ(std::stoll(m[2]), whole.total_count());
  EXPECT_NEAR(std::stod(m[1]), static_cast<double>(whole.max()) / 1000, 0.0015);
  std::tie(rc, out) = sh(processor + " -csv");
  ASSERT_EQ(rc, 0) << out;
  // "Value,Percentile,TotalCount,1/(1-Percentile)": the rows at 50% and 90%.
  for (const double p : {0.5, 0.9}) {
    char pct[32];
    std::snprintf(pct, sizeof pct, ",%.12f,", p);
    const auto at = out.find(pct);
    ASSERT_NE(at, std::string::npos) << pct << "\n" << out.substr(0, 400);
    const auto line_start = out.rfind('\n', at) + 1;
    const double value = std::stod(out.substr(line_start, at - line_start));
    EXPECT_NEAR(value, static_cast<double>(whole.value_at_percentile(p * 100)) / 1000, 0.0005) << p;
  }
}

}  // namespace
}  // namespace tollgate::reports

namespace tollgate::reports {
namespace {

/// Loads `file` in headless Chromium and returns the DOM after its scripts ran.
std::string rendered_dom(const fs::path& file) {
  return sh("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --dump-dom file://" +
            file.string() + " 2>/dev/null")
      .second;
}

// report.html opens offline in a real browser: every chart drawn, no
// script error, every section filled; a screenshot goes to the build's
// artifacts/ for CI to keep.
TEST_F(Reports, HtmlRendersInHeadlessChromiumWithEveryChartAndNoErrors) {
  Fixture f(fixed_run());
  f.run.series = {{1.0, 1.0, 3, {{100, 1, 2.0, 3.0, 9.0, 12.0}, {0, 0, 0, 0, 0, 0}}},
                  {2.0, 1.0, 5, {{98, 0, 2.2, 3.1, 8.0, 11.0}, {1, 0, 1, 1, 1, 1}}}};
  // The first step streamed in the second second: TTFT and ITL over time.
  f.run.series[1].steps[0].ttft_p50_ms = 40;
  f.run.series[1].steps[0].ttft_p99_ms = 90;
  f.run.series[1].steps[0].itl_p50_ms = 12;
  f.run.series[1].steps[0].itl_p99_ms = 30;
  {  // in summary.json (null where no stream ended), valid, and read back
    const json summary = summary_json(f.run);
    EXPECT_EQ(test::summary_schema_errors(summary), "");
    const json& points = summary["series"]["points"];
    EXPECT_EQ(points[1]["ttft_p99_ms"], json::parse("[90, null]"));
    EXPECT_FALSE(points[0].contains("ttft_p99_ms")) << "no stream ended in that second";
    write_file_atomically((dir_ / "summary.json").string(), summary.dump(2));
    EXPECT_EQ(summary_json(read_summary(dir_.string()).run)["series"], summary["series"]);
  }
  const std::string html = html_report(f.run);
  EXPECT_EQ(html.find("http://"), html.find("http://127.0.0.1:8080")) << "no link to fetch anything";
  EXPECT_EQ(html.find("<script src"), std::string::npos) << "self-contained";
  EXPECT_NE(html.find(embedded_chart_js()), std::string::npos);
  EXPECT_GT(std::string(embedded_chart_js()).size(), 100'000u) << "the real Chart.js";
  EXPECT_EQ(html.find(kSecret), std::string::npos);
  write_file_atomically((dir_ / "report.html").string(), html);
  const std::string dom = rendered_dom(dir_ / "report.html");
  EXPECT_NE(dom.find("data-status=\"rendered\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("data-errors=\"0\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("data-charts=\"4\""), std::string::npos);
  // A selector picks the step the charts over time show.
  EXPECT_NE(dom.find("<option value=\"-1\">all steps</option><option value=\"0\">"), std::string::npos) << dom.substr(0, 4000);
  for (const char* id : {"chart-time", "chart-stream-time", "chart-percentiles", "chart-status"})
    EXPECT_TRUE(std::regex_search(dom, std::regex(std::string("<canvas id=\"") + id + "\"[^>]*data-rendered=\"true\"")))
        << id;
  for (const char* text : {"FAIL", "chat / create", "errors.rate &lt; 0.5%", "TTFT     = first chunk",
                           "expected 200, got 500"})
    EXPECT_NE(dom.find(text), std::string::npos) << text;
  const fs::path artifacts = fs::path(TOLLGATE_ARTIFACT_DIR);
  fs::create_directories(artifacts);
  fs::copy_file(dir_ / "report.html", artifacts / "report.html", fs::copy_options::overwrite_existing);
  sh("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars "
     "--window-size=1400,2200 --screenshot=" + (artifacts / "report.png").string() + " file://" +
     (dir_ / "report.html").string());
  EXPECT_TRUE(fs::exists(artifacts / "report.png"));

  // The check can fail: a script error on the page is seen.
  std::string broken = html;
  broken.insert(broken.rfind("<script>document.body.setAttribute('data-errors'"), "<script>noSuchFunction();</script>");
  write_file_atomically((dir_ / "broken.html").string(), broken);
  EXPECT_NE(rendered_dom(dir_ / "broken.html").find("data-errors=\"1\""), std::string::npos);
}

// A capacity search in every report: summary.json's search block (valid,
// read back the same), its table, and report.html's throughput-latency
// chart with the knee.
TEST_F(Reports, ACapacitySearchInSummaryTableAndHtml) {
  Fixture f(fixed_run());
  metrics::SearchResult search;
  search.kind = "capacity-search";
  search.scenario = "chat";
  search.slo = {"latency.p99 < 50ms"};
  search.capacity_rps = 40;
  search.failed_rps = 42;
  search.conclusion = "within 5.0% (met at 40.0/s, failed at 42.0/s)";
  for (int i = 0; i < 2; ++i) {
    metrics::SearchStep st;
    st.scenario = 0;
    st.offered_rps = i ? 42 : 40;
    st.achieved_rps = i ? 41.9 : 40;
    st.passed = i == 0;
    st.p99_ms = i ? 80 : 30;
    st.ttft_p99_ms = i ? 60 : 20;
    st.goodput_rps = i ? 20 : 40;
    st.slo = {{"latency.p99 < 50ms", i == 0, st.p99_ms, metrics::ThresholdResult::Unit::kMs}};
    search.steps.push_back(st);
  }
  search.steps.push_back(search.steps[1]);
  search.steps[2].offered_rps = 400;
  search.steps[2].valid = false;
  search.steps[2].invalid_reason = "achieved 120/s of 400/s offered (under 98%)";
  f.run.search = search;
  f.run.scenarios[0].steps[0].metrics.goodput_judged = 10;
  f.run.scenarios[0].steps[0].metrics.good = 7;
  const json summary = summary_json(f.run);
  EXPECT_EQ(test::summary_schema_errors(summary), "");
  EXPECT_EQ(summary["search"]["capacity_rps"], 40);
  EXPECT_EQ(summary["scenarios"][0]["steps"][0]["goodput"]["rate"], 0.7);
  write_file_atomically((dir_ / "summary.json").string(), summary.dump(2));
  const LoadedRun loaded = read_summary(dir_.string());
  EXPECT_EQ(summary_json(loaded.run)["search"], summary["search"]);
  EXPECT_EQ(summary_json(loaded.run)["scenarios"], summary["scenarios"]);
  std::ostringstream table;
  write_summary_table(f.run, table);
  for (const char* text : {"capacity-search 'chat', SLO: [latency.p99 < 50ms]", "capacity at the SLO: 40/s",
                           "invalid: achieved 120/s of 400/s offered"})
    EXPECT_NE(table.str().find(text), std::string::npos) << text << "\n" << table.str();
  write_file_atomically((dir_ / "report.html").string(), html_report(f.run));
  const std::string dom = rendered_dom(dir_ / "report.html");
  EXPECT_NE(dom.find("data-errors=\"0\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("data-charts=\"4\""), std::string::npos);
  EXPECT_TRUE(std::regex_search(dom, std::regex("<canvas id=\"chart-search\"[^>]*data-rendered=\"true\"")));
  for (const char* text : {"Capacity at the SLO: 40.00/s", "invalid: achieved 120/s"})
    EXPECT_NE(dom.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace tollgate::reports
