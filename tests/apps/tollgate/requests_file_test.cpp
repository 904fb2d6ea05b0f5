// --requests FILE.jsonl as a user analyses it: one line per request the run
// counted, a latency histogram rebuilt from the lines equal to the run's,
// times in order, and a file that cannot be written refused up front.
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/http_server.h"
#include "harness/metrics/hdr_codec.h"
#include "tests/support/child_process.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(RequestsFile, OneLinePerRequestAndTheHistogramRebuildsExactly) {
  const fs::path dir = fs::temp_directory_path() / ("tollgate-requests-" + std::to_string(getpid()));
  fs::create_directories(dir);
  net::ServerOptions so;
  so.threads = 1;
  // Answers 0-9 ms late, every 7th a 503; each carries a request id.
  net::HttpServer server(so, [](const net::HttpRequest& r) {
    const int i = std::stoi(r.query_param("i").value_or("0"));
    net::HttpResponse a = net::HttpResponse::json(i % 7 ? 200 : 503, {{"i", i}});
    a.delay = std::chrono::milliseconds(i % 10);
    a.headers.emplace_back("X-Request-Id", "req-" + std::to_string(i));
    return a;
  });
  const auto port = server.start();
  std::ofstream(dir / "s.yaml") << "version: 1\ntarget: http://127.0.0.1:" << port << R"(
scenarios:
  api:
    executor: constant-arrival-rate
    rate: 200/s
    duration: 1s
    steps:
      - {name: get, method: GET, path: "/r", query: {i: "{{iteration}}"}}
)";
  const auto o = run_shell(std::string(TOLLGATE_BINARY) + " run " + (dir / "s.yaml").string() + " --quiet --requests " +
                               (dir / "requests.jsonl").string() + " --out " + (dir / "out").string(),
                           std::chrono::seconds(60));
  server.stop();
  server.wait();
  std::ifstream sin(dir / "out" / "summary.json");
  const json summary = json::parse(sin);
  const json& step = summary["scenarios"][0]["steps"][0];
  std::ifstream in(dir / "requests.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const json head = json::parse(line);
  EXPECT_EQ(head["format"], "tollgate-requests");
  EXPECT_EQ(head["run"], 0);
  metrics::Histogram rebuilt;
  std::int64_t lines = 0, errors = 0;
  std::set<std::string> ids;
  while (std::getline(in, line)) {
    const json r = json::parse(line);
    ++lines;
    EXPECT_EQ(r["scenario"], "api");
    EXPECT_EQ(r["step"], "get");
    rebuilt.record_saturating(r["latency_us"].get<std::int64_t>());
    errors += r["error"] != "none";
    EXPECT_LE(r["intended_us"].get<std::int64_t>(), r["sent_us"].get<std::int64_t>() + 1000) << line;
    EXPECT_LE(r["sent_us"].get<std::int64_t>(), r["first_byte_us"].get<std::int64_t>()) << line;
    EXPECT_LE(r["first_byte_us"].get<std::int64_t>(), r["end_us"].get<std::int64_t>()) << line;
    const int i = r["iteration"].get<int>();
    EXPECT_EQ(r["status"], i % 7 ? 200 : 503) << line;
    EXPECT_EQ(r["request_id"], "req-" + std::to_string(i)) << line;
    ids.insert(r["request_id"].get<std::string>());
  }
  EXPECT_EQ(lines, step["requests"].get<std::int64_t>());
  EXPECT_EQ(errors, step["error_count"].get<std::int64_t>());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(lines));
  EXPECT_NE(o.output.find("requests: " + std::to_string(lines) + " written to "), std::string::npos) << o.output;
  const auto run_histogram = reports::decode_histogram(step["histograms"]["latency_us"].get<std::string>());
  ASSERT_TRUE(run_histogram);
  EXPECT_EQ(rebuilt.total_count(), run_histogram->total_count());
  for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 100.0})
    EXPECT_EQ(rebuilt.value_at_percentile(p), run_histogram->value_at_percentile(p)) << p;
  EXPECT_EQ(rebuilt.max(), run_histogram->max());
  // A file that cannot be created: refused before anything is sent.
  const auto bad = run_shell(std::string(TOLLGATE_BINARY) + " run " + (dir / "s.yaml").string() +
                             " --quiet --requests " + (dir / "no" / "such" / "dir.jsonl").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--requests "), std::string::npos) << bad.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tollgate::test
