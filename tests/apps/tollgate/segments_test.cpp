// A run split into segments, as a user (or the Kubernetes Job) runs it:
// the Job's own pod command lines, rendered from deploy/kubernetes with
// kubectl kustomize, run as 4 local processes against the mock with
// JOB_COMPLETION_INDEX set as Kubernetes sets it, then the merge Job's
// command. The merged run is the single run: the same requests planned,
// the shares of the rate adding to it, percentiles of all values, and the
// thresholds judged on the whole (a failing one makes the merge exit 1; a
// missing or doubled segment is refused).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "harness/metrics/hdr_codec.h"
#include "net/http_server.h"
#include "tests/support/summary_schema.h"
#include "tests/support/tollgate_cli.h"

namespace tollgate::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tollgate-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// $(NAME) replaced from `env`, as Kubernetes expands a container's args.
std::string expand(std::string text, const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) {
    const std::string ref = "$(" + k + ")";
    for (std::size_t p; (p = text.find(ref)) != std::string::npos;) text.replace(p, ref.size(), v);
  }
  return text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = text.find(from, p)) != std::string::npos; p += to.size()) text.replace(p, from.size(), to);
  return text;
}

// The rendered base: its objects by kind/name (a generated ConfigMap by
// its name without kustomize's hash).
struct Rendered {
  std::map<std::string, YAML::Node> objects;
  YAML::Node get(const std::string& kind, const std::string& name) const {
    for (const auto& [key, node] : objects)
      if (key.rfind(kind + "/" + name, 0) == 0) return node;
    return YAML::Node();
  }
};

std::optional<Rendered> render_base() {
  if (run_shell("command -v kubectl").exit_code != 0) return std::nullopt;
  const auto o = run_shell("kubectl kustomize " + sh_quote(std::string(TOLLGATE_SOURCE_DIR) + "/deploy/kubernetes/base") +
                           " 2>/dev/null", std::chrono::seconds(60));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  Rendered r;
  for (const auto& doc : YAML::LoadAll(o.output))
    r.objects[doc["kind"].as<std::string>() + "/" + doc["metadata"]["name"].as<std::string>()] = doc;
  return r;
}

// One pod of a Job run here: its command and args with the cluster's
// paths mapped into `root` and $(VARS) from `env`.
std::string pod_command(const YAML::Node& job, const fs::path& root, const std::map<std::string, std::string>& env) {
  const YAML::Node c = job["spec"]["template"]["spec"]["containers"][0];
  std::string line;
  for (const char* part : {"command", "args"})
    for (const auto& a : c[part]) {
      std::string arg = expand(a.as<std::string>(), env);
      arg = replace_all(replace_all(arg, "/etc/tollgate", (root / "etc").string()), "/results", (root / "results").string());
      if (arg == "0.0.0.0:9464") arg = "127.0.0.1:0";  // four processes, one host: any free port each
      line += (line.empty() ? "" : " ") + sh_quote(arg);
    }
  std::string prefix = "PATH=" + sh_quote((root / "bin").string()) + ":\"$PATH\"";
  for (const auto& [k, v] : env) prefix += " " + k + "=" + sh_quote(v);
  return prefix + " " + line;
}

json summary(const fs::path& dir) { return read_json(dir / "summary.json"); }

metrics::Histogram latency_of(const json& s) {
  metrics::Histogram all;
  for (const auto& sc : s["scenarios"])
    for (const auto& st : sc["steps"]) all.add(*metrics::decode_histogram(st["histograms"]["latency_us"].get<std::string>()));
  return all;
}

TEST(Segments, TheJobsPodCommandsRunLocallyAndMergeIntoTheSingleRun) {
  const auto rendered = render_base();
  if (!rendered) GTEST_SKIP() << "kubectl is not installed: the manifests cannot be rendered";
  const YAML::Node segments = rendered->get("Job", "tollgate-segments");
  const YAML::Node merge = rendered->get("Job", "tollgate-merge");
  const YAML::Node files = rendered->get("ConfigMap", "tollgate-scenario");
  const YAML::Node run_config = rendered->get("ConfigMap", "tollgate-run");
  ASSERT_TRUE(segments && merge && files && run_config);
  const int n = segments["spec"]["completions"].as<int>();
  ASSERT_EQ(n, 4);

  const fs::path root = fresh_dir("segments-job");
  // The ConfigMap's files, as its volume shows them at /etc/tollgate.
  fs::create_directories(root / "etc");
  fs::create_directories(root / "bin");
  for (const auto& kv : files["data"])
    std::ofstream(root / "etc" / kv.first.as<std::string>())
        << replace_all(replace_all(kv.second.as<std::string>(), "/etc/tollgate", (root / "etc").string()), "/results",
                       (root / "results").string());
  fs::create_symlink(TOLLGATE_BINARY, root / "bin" / "tollgate");

  Child mock({TOLLGATE_MOCK_BINARY, "--listen", "127.0.0.1:0", "--threads", "1"});
  const std::string url = announced_url(mock);
  std::map<std::string, std::string> env;
  for (const auto& kv : run_config["data"]) env[kv.first.as<std::string>()] = kv.second.as<std::string>();
  env["TARGET"] = url + "/aiproxy";
  // A light load with loose latency bounds: the test is about what the
  // merge counts and judges, not about speed (under ASan, 4 processes and
  // the mock share 2 cores: 80/s had streams' TTFT p99 at 2.4 s).
  env["RATE"] = "30/s";
  env["DURATION"] = "3s";
  env["TTFT_P99"] = "60s";
  env["LATENCY_P99"] = "60s";
  env["TOLLGATE_DATA_DIR"] = TOLLGATE_SOURCE_DIR;
  env["RUN"] = "r1";
  env["MERGE_POLL"] = "1";
  env["START_AT"] = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch()).count() + 2500);

  // The N pods at once, then the merge Job once they are done.
  std::string script;
  for (int i = 0; i < n; ++i) {
    auto e = env;
    e["JOB_COMPLETION_INDEX"] = std::to_string(i);
    script += "(" + pod_command(segments, root, e) + " > " + sh_quote((root / ("pod-" + std::to_string(i) + ".log")).string()) +
              " 2>&1; echo $? > " + sh_quote((root / ("pod-" + std::to_string(i) + ".rc")).string()) + ") &\n";
  }
  script += "wait\n";
  const auto pods = run_shell(script, std::chrono::seconds(120));
  for (int i = 0; i < n; ++i) {
    std::ifstream rc(root / ("pod-" + std::to_string(i) + ".rc")), log(root / ("pod-" + std::to_string(i) + ".log"));
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    int code = -1;
    rc >> code;
    EXPECT_EQ(code, 0) << "pod " << i << ":\n" << text;
    EXPECT_NE(text.find("segment " + std::to_string(i) + "/4"), std::string::npos) << text;
  }
  const auto merged_run = run_shell(pod_command(merge, root, env), std::chrono::seconds(60));
  EXPECT_EQ(merged_run.exit_code, 0) << merged_run.output;
  EXPECT_NE(merged_run.output.find("result: PASS"), std::string::npos) << merged_run.output;

  // The single run of the same scenario, for comparison.
  auto single_env = env;
  std::string prefix;
  for (const auto& [k, v] : single_env) prefix += k + "=" + sh_quote(v) + " ";
  const auto single = run_shell(prefix + sh_quote(TOLLGATE_BINARY) + " run " + sh_quote((root / "etc" / "scenario.yaml").string()) +
                                    " --quiet --out " + sh_quote((root / "single").string()),
                                std::chrono::seconds(60));
  EXPECT_EQ(single.exit_code, 0) << single.output;

  const fs::path results = root / "results" / "r1";
  const json whole = summary(root / "single"), merged = summary(results / "merged");
  const json& ws = whole["scenarios"][0];
  const json& ms = merged["scenarios"][0];
  // Poisson arrivals: the same seeded sequence, partitioned.
  const auto planned = [](const json& s) { return s["requests"].get<std::int64_t>() + s["missed"].get<std::int64_t>(); };
  EXPECT_EQ(planned(ms), planned(ws));
  EXPECT_EQ(ms["missed"], 0);
  EXPECT_GT(planned(ws), 50);
  EXPECT_NEAR(ms["rate"]["target"].get<double>(), ws["rate"]["target"].get<double>(), 1e-3) << "the shares add up";
  EXPECT_EQ(merged["segment"]["count"], 1);
  std::set<unsigned> indexes;
  metrics::Histogram all_values;
  std::int64_t achieved_sum = 0;
  double target_sum = 0;
  for (int i = 0; i < n; ++i) {
    const json s = summary(results / ("segment-" + std::to_string(i)));
    indexes.insert(s["segment"]["index"].get<unsigned>());
    EXPECT_EQ(s["segment"]["count"], n);
    EXPECT_EQ(s["planned_start_unix_ms"], std::stoll(env["START_AT"]));
    // Each waited for the instant; one that was still loading when it came
    // (4 processes at once on a loaded machine, under ASan) started at once
    // and says by how much it was late.
    const std::int64_t after = s["start_unix_ms"].get<std::int64_t>() - std::stoll(env["START_AT"]);
    const std::int64_t late = s["start_late_ms"].get<std::int64_t>();
    EXPECT_GE(after, 0) << "started before the instant";
    if (late == 0) EXPECT_LT(after, 50) << "each waited for the instant";
    else EXPECT_NEAR(after, late, 50) << "a late start says by how much";
    all_values.add(latency_of(s));
    achieved_sum += s["scenarios"][0]["requests"].get<std::int64_t>();
    target_sum += s["scenarios"][0]["rate"]["target"].get<double>();
  }
  EXPECT_EQ(indexes.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(achieved_sum, ms["requests"].get<std::int64_t>());
  EXPECT_NEAR(target_sum, ws["rate"]["target"].get<double>(), 1e-3);
  // The merged percentiles are those of one histogram of every value.
  const metrics::Histogram m = latency_of(merged);
  EXPECT_EQ(m.total_count(), all_values.total_count());
  EXPECT_EQ(m.counts(), all_values.counts());
  EXPECT_DOUBLE_EQ(ms["latency_ms"]["p99"].get<double>(),
                   std::round(static_cast<double>(all_values.value_at_percentile(99))) / 1000.0);
  // Each merged second from the seconds' histograms: the requests of the
  // series add to the run's, and a second's p99 is its histogram's.
  std::int64_t in_series = 0;
  for (const auto& p : merged["series"]["points"]) {
    in_series += p["requests"][0].get<std::int64_t>();
    if (p["latency_hdr"][0].is_null()) continue;
    const auto h = metrics::decode_histogram(p["latency_hdr"][0].get<std::string>());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->total_count(), p["requests"][0].get<std::int64_t>());
    EXPECT_DOUBLE_EQ(p["p99_ms"][0].get<double>(), std::round(static_cast<double>(h->value_at_percentile(99))) / 1000.0);
  }
  EXPECT_EQ(in_series, ms["requests"].get<std::int64_t>());
  // Thresholds judged on the merge.
  EXPECT_EQ(merged["thresholds"].size(), whole["thresholds"].size());
  for (const auto& t : merged["thresholds"]) EXPECT_TRUE(t["passed"].get<bool>()) << t.dump();

  // A missing segment, and one twice: refused, naming it.
  const std::string seg0 = sh_quote((results / "segment-0" / "summary.json").string());
  const std::string seg1 = sh_quote((results / "segment-1" / "summary.json").string());
  const std::string seg2 = sh_quote((results / "segment-2" / "summary.json").string());
  const std::string out = " --out " + sh_quote((root / "refused").string());
  const auto missing = tollgate("merge " + seg0 + " " + seg1 + " " + seg2 + out);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("1 of its 4 segments missing: 3/4"), std::string::npos) << missing.output;
  const auto twice = tollgate("merge " + seg0 + " " + seg1 + " " + seg2 + " " + seg0 + out);
  EXPECT_EQ(twice.exit_code, 2) << twice.output;
  EXPECT_FALSE(fs::exists(root / "refused" / "summary.json")) << "a refused set writes no merged result";
  EXPECT_NE(twice.output.find("segment 0/4 is there twice"), std::string::npos) << twice.output;

  // A threshold the whole run fails: each segment still succeeds (its
  // figures are a part), the merge Job exits 1.
  env["RUN"] = "r2";
  env["DURATION"] = "1s";
  env["LATENCY_P99"] = "1us";
  env["START_AT"] = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch()).count() + 1500);
  script.clear();
  for (int i = 0; i < n; ++i) {
    auto e = env;
    e["JOB_COMPLETION_INDEX"] = std::to_string(i);
    script += "(" + pod_command(segments, root, e) + " > /dev/null 2>&1 || echo pod " + std::to_string(i) + " failed) &\n";
  }
  script += "wait\n";
  const auto again = run_shell(script, std::chrono::seconds(120));
  EXPECT_EQ(again.output.find("failed"), std::string::npos) << again.output;
  const auto failing = run_shell(pod_command(merge, root, env), std::chrono::seconds(60));
  EXPECT_EQ(failing.exit_code, 1) << failing.output;
  EXPECT_NE(failing.output.find("result: FAIL"), std::string::npos) << failing.output;
  fs::remove_all(root);
}

// A stand-in target that answers 200 and keeps every `u` query value.
struct EchoTarget {
  std::mutex mutex;
  std::vector<std::string> u;
  net::HttpServer server{net::ServerOptions{}, [this](const net::HttpRequest& r) {
                           if (auto v = r.query_param("u")) {
                             std::lock_guard lock(mutex);
                             u.push_back(*v);
                           }
                           return net::HttpResponse::json(200, {});
                         }};
  std::uint16_t port = server.start();
  ~EchoTarget() {
    server.stop();
    server.wait();
  }
};

// The iteration and VU numbers every --requests line of `file` carries,
// read back from the request's URL (?i=..&vu=..).
std::multiset<std::pair<int, int>> numbers_in(const fs::path& file) {
  std::multiset<std::pair<int, int>> out;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // the head
  while (std::getline(in, line)) {
    const json r = json::parse(line);
    if (r.contains("iteration")) out.emplace(r["iteration"].get<int>(), -1);
  }
  return out;
}

// DIR/NAME.yaml: one scenario `s` running `executor` (YAML lines of the
// scenario) with one step `get` of `path` against the target on `port`.
fs::path write_scenario(const fs::path& dir, const std::string& name, std::uint16_t port, const std::string& executor,
                        const std::string& path = "/r") {
  const fs::path file = dir / (name + ".yaml");
  std::ofstream(file) << "version: 1\ntarget: http://127.0.0.1:" << port << "\nscenarios:\n  s:\n" << executor
                      << "    steps:\n      - {name: get, method: GET, path: \"" << path << "\"}\n";
  return file;
}

TEST(Segments, IterationNumbersAreTheSingleRunsInEveryExecutor) {
  EchoTarget target;
  const fs::path dir = fresh_dir("segments-numbers");
  const std::map<std::string, std::string> executors = {
      {"open", "    executor: constant-arrival-rate\n    rate: 100/s\n    duration: 1s\n"},
      {"shared", "    executor: iterations\n    iterations: 53\n    vus: 3\n"},
  };
  for (const auto& [name, body] : executors) {
    const std::string file = sh_quote(write_scenario(dir, name, target.port, body, "/r?i={{iteration}}&u={{uuid}}").string());
    const auto single = tollgate("run " + file + " --quiet --requests " +
                                 sh_quote((dir / (name + "-single.jsonl")).string()));
    ASSERT_EQ(single.exit_code, 0) << single.output;
    {
      std::lock_guard lock(target.mutex);
      target.u.clear();
    }
    std::multiset<std::pair<int, int>> parts;
    for (int i = 0; i < 5; ++i) {  // 5 segments: more than the 3 VUs
      const auto part = tollgate("run " + file + " --quiet --segment " +
                                 std::to_string(i) + "/5 --requests " +
                                 sh_quote((dir / (name + "-" + std::to_string(i) + ".jsonl")).string()));
      ASSERT_EQ(part.exit_code, 0) << part.output;
      for (const auto& x : numbers_in(dir / (name + "-" + std::to_string(i) + ".jsonl"))) parts.insert(x);
    }
    const auto whole = numbers_in(dir / (name + "-single.jsonl"));
    EXPECT_EQ(whole.size(), name == "open" ? 100u : 53u);
    EXPECT_EQ(parts, whole) << name;
    // Random values ({{uuid}}) are each segment's own, never another's copies.
    std::lock_guard lock(target.mutex);
    EXPECT_EQ(target.u.size(), whole.size());
    EXPECT_EQ(std::set<std::string>(target.u.begin(), target.u.end()).size(), target.u.size()) << name;
    target.u.clear();
  }
  fs::remove_all(dir);
}

TEST(Segments, BadSegmentsAndStartsAreRefusedAndALateStartIsRecorded) {
  EchoTarget target;
  const fs::path dir = fresh_dir("segments-flags");
  const std::string file =
      sh_quote(write_scenario(dir, "s", target.port, "    executor: constant-vus\n    vus: 1\n    duration: 200ms\n").string());
  const auto four = tollgate("run " + file + " --quiet --segment 4/4");
  EXPECT_EQ(four.exit_code, 2) << four.output;
  EXPECT_NE(four.output.find("--segment: segment '4/4': the index must be below the count"), std::string::npos)
      << four.output;
  const auto env = run_shell("TOLLGATE_SEGMENT=x " + sh_quote(TOLLGATE_BINARY) + " run " + file + " --quiet");
  EXPECT_EQ(env.exit_code, 2) << env.output;
  EXPECT_NE(env.output.find("TOLLGATE_SEGMENT: segment 'x'"), std::string::npos) << env.output;
  const auto bad_time = tollgate("run " + file + " --quiet --start-at 2026-13-01T00:00:00Z");
  EXPECT_EQ(bad_time.exit_code, 2) << bad_time.output;
  EXPECT_NE(bad_time.output.find("--start-at '2026-13-01T00:00:00Z': no such date"), std::string::npos)
      << bad_time.output;
  // An instant already past: the run starts at once and says how late.
  const auto late = tollgate("run " + file + " --quiet --segment 1/2 --start-at 2026-01-01T00:00:00Z --out " +
                             sh_quote((dir / "out").string()));
  EXPECT_EQ(late.exit_code, 0) << late.output;
  EXPECT_NE(late.output.find("ms after --start-at 2026-01-01T00:00:00.000Z"), std::string::npos) << late.output;
  const json s = read_json(dir / "out" / "summary.json");
  EXPECT_EQ(s["planned_start_unix_ms"], 1767225600000);
  EXPECT_GT(s["start_late_ms"].get<std::int64_t>(), 0);
  EXPECT_EQ(s["segment"], (json{{"index", 1}, {"count", 2}}));
  const auto alone = tollgate("merge " + sh_quote((dir / "out").string()) + " --out " + sh_quote((dir / "m").string()));
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_NE(alone.output.find("1 of its 2 segments missing: 0/2"), std::string::npos) << alone.output;
  // A capacity search decides each step from the whole run: not split.
  const auto search = tollgate("run " + sh_quote(std::string(TOLLGATE_SOURCE_DIR) + "/scenarios/capacity/chat-knee-search.yaml") +
                               " --quiet --segment 0/2 --env TARGET=http://127.0.0.1:" + std::to_string(target.port));
  EXPECT_EQ(search.exit_code, 2) << search.output;
  EXPECT_NE(search.output.find("is a capacity-search, which judges each step on the whole run's figures"),
            std::string::npos)
      << search.output;
  fs::remove_all(dir);
}

TEST(Segments, ACtrlCWhileWaitingForTheStartEndsTheRunWithNothingSent) {
  EchoTarget target;
  const fs::path dir = fresh_dir("segments-wait");
  const fs::path file =
      write_scenario(dir, "s", target.port, "    executor: constant-arrival-rate\n    rate: 10/s\n    duration: 1s\n");
  const auto in_an_hour = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                              .count();
  Child c({TOLLGATE_BINARY, "run", file.string(), "--quiet", "--start-at", std::to_string(in_an_hour),
           "--out", (dir / "out").string()});
  const std::string first = c.first_line(std::chrono::seconds(10));
  EXPECT_NE(first.find("starting at "), std::string::npos) << first;
  kill(c.pid(), SIGINT);
  const int status = c.wait_exit(std::chrono::seconds(30));  // a bound on a hang, far below the hour
  ASSERT_NE(status, -1) << "tollgate waited for its start after SIGINT";
  EXPECT_EQ(WEXITSTATUS(status), 4);
  const json s = read_json(dir / "out" / "summary.json");
  EXPECT_EQ(s["interrupted"], true);
  EXPECT_EQ(s["totals"]["requests"], 0);
  EXPECT_EQ(s["planned_start_unix_ms"], in_an_hour);
  EXPECT_EQ(s["duration_s"], 0);
  EXPECT_EQ(s["scenarios"][0]["duration_s"], 0);
  EXPECT_EQ(summary_schema_errors(s), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tollgate::test
