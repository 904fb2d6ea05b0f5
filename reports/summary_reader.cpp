#include "reports/summary_reader.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include "common/source_error.h"
#include "reports/coverage.h"
#include "reports/search.h"
#include "harness/metrics/hdr_codec.h"

namespace tollgate::reports {
namespace {

using nlohmann::json;

struct Reader {
  const std::string& path;
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw SourceError({path, 0, 0}, where + ": " + what);
  }
  metrics::Histogram histogram(const json& h, const std::string& name, const std::string& where) const {
    if (!h.contains(name)) return metrics::Histogram(name == "tokens_per_s" ? 10'000'000 : 3'600'000'000, 3);
    std::string error;
    auto decoded = decode_histogram(h[name].get<std::string>(), &error);
    if (!decoded) fail(where + "/histograms/" + name, error);
    return std::move(*decoded);
  }

  metrics::StepMetrics step(const json& j, const std::string& where) const {
    metrics::StepMetrics m;
    m.requests = j.at("requests");
    for (auto it = j.at("errors").begin(); it != j.at("errors").end(); ++it) {
      bool known = false;
      for (int k = 1; k < static_cast<int>(metrics::ErrorKind::kCount); ++k)
        if (it.key() == metrics::error_kind_name(static_cast<metrics::ErrorKind>(k))) {
          m.errors[static_cast<std::size_t>(k)] = it.value();
          known = true;
        }
      if (!known) fail(where + "/errors", "unknown error kind '" + it.key() + "'");
    }
    const json messages = j.value("error_messages", json::object());
    for (auto& [kind, said] : messages.items())
      for (int k = 1; k < static_cast<int>(metrics::ErrorKind::kCount); ++k)
        if (kind == metrics::error_kind_name(static_cast<metrics::ErrorKind>(k)))
          for (const auto& s : said) metrics::note_sample(m.error_samples[static_cast<std::size_t>(k)], s.at("message"), s.at("count"));
    for (auto it = j.at("status").begin(); it != j.at("status").end(); ++it) {
      const int code = std::stoi(it.key());
      if (code < 0 || code >= static_cast<int>(m.status.size())) fail(where + "/status", "status " + it.key());
      m.status[static_cast<std::size_t>(code)] = it.value();
    }
    m.late = j.at("late");
    m.missed = j.at("missed");
    m.bytes_in = j.at("bytes").at("in");
    m.bytes_out = j.at("bytes").at("out");
    m.checks_passed = j.at("checks").at("passed");
    m.checks_failed = j.at("checks").at("failed");
    for (const auto& c : j.at("checks").value("detail", json::array())) {
      metrics::CheckStat s;
      s.name = c.at("name");
      s.passed = c.at("passed");
      s.failed = c.at("failed");
      for (const auto& f : c.at("failures")) s.samples.emplace_back(f.at("message"), f.at("count"));
      m.checks.push_back(std::move(s));
    }
    m.unsupported = j.value("unsupported", std::int64_t{0});
    m.unsupported_message = j.value("unsupported_message", "");
    const json& h = j.at("histograms");
    m.latency_us = histogram(h, "latency_us", where);
    m.service_time_us = histogram(h, "service_time_us", where);
    if (j.contains("goodput")) {
      m.goodput_judged = j["goodput"].at("judged");
      m.good = j["goodput"].at("good");
    }
    if (j.contains("stream")) {
      auto& s = m.stream.get();
      const json& st = j["stream"];
      s.streams = st.at("streams");
      s.output_tokens = st.at("output_tokens");
      s.usage_reported = st.at("tokens_from_usage");
      s.ttft_us = histogram(h, "ttft_us", where);
      s.itl_us = histogram(h, "itl_us", where);
      s.tpot_us = histogram(h, "tpot_us", where);
      s.e2e_us = histogram(h, "e2e_us", where);
      s.tokens_per_s = histogram(h, "tokens_per_s", where);
    }
    if (j.contains("flow")) {
      auto& f = m.flow.get();
      const json& fl = j["flow"];
      f.polls = fl.at("polls");
      f.polls_timed_out = fl.at("polls_timed_out");
      f.poll_requests = fl.at("poll_requests");
      f.callbacks = fl.at("callbacks");
      f.callbacks_missed = fl.at("callbacks_missed");
      f.poll_us = histogram(h, "poll_us", where);
      f.callback_us = histogram(h, "callback_us", where);
    }
    return m;
  }
};

}  // namespace

LoadedRun read_summary(const std::string& given) {
  std::string path = given;
  if (std::filesystem::is_directory(path)) path = (std::filesystem::path(path) / "summary.json").string();
  std::ifstream in(path);
  if (!in) throw SourceError({path, 0, 0}, "cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  LoadedRun out;
  out.path = path;
  const json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) throw SourceError({path, 0, 0}, "not JSON");
  if (!j.is_object() || j.value("format", "") != "tollgate-summary")
    throw SourceError({path, 0, 0}, "not a tollgate summary.json (format)");
  if (j.value("version", 0) != 2)
    throw SourceError({path, 0, 0}, "summary.json version " + j.value("version", json(0)).dump() +
                                        "; this tollgate reads version 2 (histograms included)");
  const Reader r{path};
  try {
    auto& info = out.run.info;
    info.scenario_file = j.at("scenario");
    info.scenario_sha256 = j.at("scenario_sha256");
    info.target = j.at("target");
    const json& meta = j.at("meta");
    info.command_line = meta.value("command_line", "");
    info.tollgate_version = meta.value("tollgate_version", "");
    for (const auto& t : j.at("thresholds")) out.run.thresholds.push_back(threshold_from_json(t));
    out.run.coverage = coverage_from_json(j.value("coverage", json::array()));
    if (j.contains("search")) out.run.search = search_from_json(j["search"]);
    out.run.interrupted = j.at("interrupted");
    out.run.duration_s = j.at("duration_s");
    out.run.start_unix_ms = j.at("start_unix_ms");
    out.run.end_unix_ms = j.at("end_unix_ms");
    if (j.contains("segment")) {
      info.segment_index = j["segment"].at("index");
      info.segment_count = j["segment"].at("count");
      if (info.segment_count < 1 || info.segment_count > 100000 || info.segment_index >= info.segment_count)
        throw std::invalid_argument("segment " + std::to_string(info.segment_index) + "/" +
                                    std::to_string(info.segment_count) +
                                    " is not a segment (0 <= index < count <= 100000)");
    }
    if (j.contains("planned_start_unix_ms") && !j["planned_start_unix_ms"].is_null())
      out.run.planned_start_unix_ms = j["planned_start_unix_ms"];
    out.run.start_late_ms = j.value("start_late_ms", std::int64_t{0});
    out.run.connections_opened = j.at("connections_opened");
    out.run.callbacks_received = j.at("callbacks").at("received");
    out.run.callbacks_unmatched = j.at("callbacks").at("unmatched");
    info.allow_unsupported = j.at("passed").get<bool>() && j.at("totals").at("unsupported").get<std::int64_t>() > 0;
    const json& scenarios = j.at("scenarios");
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      const json& s = scenarios[i];
      metrics::ScenarioResult sr;
      sr.name = s.at("name");
      sr.executor = s.at("executor");
      sr.target_rps = s.at("rate").at("target");
      sr.duration_s = s.at("duration_s");
      sr.iterations = s.at("iterations");
      const json& steps = s.at("steps");
      for (std::size_t k = 0; k < steps.size(); ++k) {
        const json& st = steps[k];
        metrics::StepResult step;
        step.name = st.at("name");
        step.operation = st.value("operation", "");
        step.method = st.value("method", "");
        step.path = st.value("path", "");
        step.metrics = r.step(st, "/scenarios/" + std::to_string(i) + "/steps/" + std::to_string(k));
        sr.steps.push_back(std::move(step));
      }
      out.run.scenarios.push_back(std::move(sr));
    }
    for (const auto& p : j.at("series").at("points")) {
      if (!p.contains("latency_hdr")) out.run.series_histograms = false;
      metrics::SeriesPoint point;
      point.t_s = p.at("t");
      point.length_s = p.at("length_s");
      point.in_flight = p.at("in_flight");
      // A stream figure: null (or absent) where no stream ended.
      auto stream_ms = [&](const char* key, std::size_t k) {
        if (!p.contains(key) || p[key].at(k).is_null()) return -1.0;
        return p[key].at(k).get<double>();
      };
      for (std::size_t k = 0; k < p.at("requests").size(); ++k) {
        metrics::SeriesStep step{p["requests"][k], p.at("errors").at(k), p.at("p50_ms").at(k), p.at("p90_ms").at(k),
                                 p.at("p99_ms").at(k), p.at("max_ms").at(k)};
        step.ttft_p50_ms = stream_ms("ttft_p50_ms", k);
        step.ttft_p99_ms = stream_ms("ttft_p99_ms", k);
        step.itl_p50_ms = stream_ms("itl_p50_ms", k);
        step.itl_p99_ms = stream_ms("itl_p99_ms", k);
        auto hdr = [&](const char* key) {
          return p.contains(key) && !p[key].at(k).is_null() ? p[key][k].get<std::string>() : std::string();
        };
        step.latency_hdr = hdr("latency_hdr");
        step.ttft_hdr = hdr("ttft_hdr");
        step.itl_hdr = hdr("itl_hdr");
        point.steps.push_back(std::move(step));
      }
      out.run.series.push_back(std::move(point));
    }
  } catch (const json::exception& e) {
    throw SourceError({path, 0, 0}, std::string("a field is missing or has the wrong type: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw SourceError({path, 0, 0}, e.what());
  }
  return out;
}

namespace {

// The runs' time series on one wall clock: points that end in the same
// second (counted from the earliest start) become one; counts add. A
// second's percentiles are those of its runs' histograms added (exact);
// where a run's point has none (a summary from before they were kept) p50
// is the request-weighted mean and p90/p99/max the highest instead.
std::vector<metrics::SeriesPoint> merge_series(const std::vector<LoadedRun>& runs, std::int64_t start_ms) {
  std::map<std::int64_t, std::vector<std::pair<const LoadedRun*, const metrics::SeriesPoint*>>> by_second;
  std::size_t width = 0;
  for (const auto& r : runs)
    for (const auto& p : r.run.series) {
      width = std::max(width, p.steps.size());
      const double end_ms = static_cast<double>(r.run.start_unix_ms - start_ms) + p.t_s * 1000;
      by_second[static_cast<std::int64_t>(std::llround(end_ms / 1000))].emplace_back(&r, &p);
    }
  std::vector<metrics::SeriesPoint> out;
  metrics::Histogram latency, ttft, itl;  // one second's step at a time: reused
  for (const auto& [second, points] : by_second) {
    metrics::SeriesPoint m;
    m.t_s = static_cast<double>(second);
    m.length_s = points.front().second->length_s;
    m.steps.resize(width);
    for (const auto& [run, p] : points) m.in_flight += p->in_flight;
    for (std::size_t k = 0; k < width; ++k) {
      auto& a = m.steps[k];
      latency.reset();
      ttft.reset();
      itl.reset();
      // Exact when every run kept its seconds' histograms (an empty one: no
      // value in that second; requests cut off by the end count without one).
      bool exact = true;
      auto add = [&](metrics::Histogram& into, const std::string& text, const LoadedRun& r) {
        if (text.empty()) return;
        std::string error;
        const auto h = metrics::decode_histogram(text, &error);
        if (!h) throw SourceError({r.path, 0, 0}, "a series histogram does not decode: " + error);
        into.add(*h);
      };
      for (const auto& [run, p] : points) {
        if (k >= p->steps.size()) continue;
        const auto& b = p->steps[k];
        exact = exact && run->run.series_histograms;
        add(latency, b.latency_hdr, *run);
        add(ttft, b.ttft_hdr, *run);
        add(itl, b.itl_hdr, *run);
        const auto n = a.requests + b.requests;
        a.p50_ms = n ? (a.p50_ms * static_cast<double>(a.requests) + b.p50_ms * static_cast<double>(b.requests)) /
                           static_cast<double>(n)
                     : 0;
        a.p90_ms = std::max(a.p90_ms, b.p90_ms);
        a.p99_ms = std::max(a.p99_ms, b.p99_ms);
        // Stream figures: the highest of the runs' (-1, none, is below any).
        a.ttft_p50_ms = std::max(a.ttft_p50_ms, b.ttft_p50_ms);
        a.ttft_p99_ms = std::max(a.ttft_p99_ms, b.ttft_p99_ms);
        a.itl_p50_ms = std::max(a.itl_p50_ms, b.itl_p50_ms);
        a.itl_p99_ms = std::max(a.itl_p99_ms, b.itl_p99_ms);
        a.max_ms = std::max(a.max_ms, b.max_ms);
        a.requests = n;
        a.errors += b.errors;
      }
      // Exact: the second's figures from its histograms, as the engine makes them.
      if (exact) a = metrics::series_step(a.requests, a.errors, latency, &ttft, &itl);
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

namespace {

std::string segment_of(const LoadedRun& r) {
  return std::to_string(r.run.info.segment_index) + "/" + std::to_string(r.run.info.segment_count);
}

// Segments of one run (--segment I/N) merge only all together: every index
// of 0..N-1 once, the same N and the same planned start. Runs that each
// ran the whole scenario (1/1) merge side by side as they are.
void check_segments(const std::vector<LoadedRun>& runs) {
  const LoadedRun* segmented = nullptr;
  for (const auto& r : runs)
    if (r.run.info.segment_count > 1) segmented = &r;
  if (!segmented) return;
  const unsigned n = segmented->run.info.segment_count;
  std::vector<const LoadedRun*> seen(n, nullptr);
  for (const auto& r : runs) {
    const auto& info = r.run.info;
    if (info.segment_count != n)
      throw SourceError({r.path, 0, 0}, "is segment " + segment_of(r) + ", foreign to the set of " + std::to_string(n) +
                                            " segments " + segmented->path + " belongs to");
    if (r.run.planned_start_unix_ms != segmented->run.planned_start_unix_ms)
      throw SourceError({r.path, 0, 0}, "segment " + segment_of(r) + " was to start at " +
                                            std::to_string(r.run.planned_start_unix_ms) + " (Unix ms), " +
                                            segmented->path + " at " +
                                            std::to_string(segmented->run.planned_start_unix_ms) +
                                            ": a segment of another run (--start-at differs)");
    if (seen[info.segment_index])
      throw SourceError({r.path, 0, 0}, "segment " + segment_of(r) + " is there twice (also " +
                                            seen[info.segment_index]->path + ")");
    seen[info.segment_index] = &r;
  }
  std::string missing;
  unsigned count = 0;
  for (unsigned i = 0; i < n; ++i)
    if (!seen[i]) {
      if (++count <= 10) missing += (missing.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(n);
    }
  if (count)
    throw SourceError({segmented->path, 0, 0}, std::to_string(count) + " of its " + std::to_string(n) +
                                                   " segments missing: " + missing + (count > 10 ? ", ..." : "") +
                                                   "; a merge of some segments is not the run");
}

}  // namespace

LoadedRun merge_runs(const std::vector<LoadedRun>& runs) {
  if (runs.empty()) throw std::invalid_argument("nothing to merge");
  LoadedRun out = runs.front();
  for (std::size_t i = 1; i < runs.size(); ++i) {
    const LoadedRun& r = runs[i];
    const std::string& hash = r.run.info.scenario_sha256;
    if (hash != out.run.info.scenario_sha256)
      throw SourceError({r.path, 0, 0}, "ran another scenario file (sha256 " + hash.substr(0, 12) + "…, not " +
                                            out.run.info.scenario_sha256.substr(0, 12) + "…): runs merge only "
                                            "when they ran the same scenario");
    auto& run = out.run;
    run.interrupted = run.interrupted || r.run.interrupted;
    run.start_unix_ms = std::min(run.start_unix_ms, r.run.start_unix_ms);
    run.end_unix_ms = std::max(run.end_unix_ms, r.run.end_unix_ms);
    run.duration_s = std::max(run.duration_s, r.run.duration_s);
    run.connections_opened += r.run.connections_opened;
    run.callbacks_received += r.run.callbacks_received;
    run.callbacks_unmatched += r.run.callbacks_unmatched;
    for (const auto& s : r.run.scenarios) {
      auto mine = std::find_if(run.scenarios.begin(), run.scenarios.end(),
                               [&](const metrics::ScenarioResult& x) { return x.name == s.name; });
      if (mine == run.scenarios.end()) {
        run.scenarios.push_back(s);
        continue;
      }
      mine->target_rps += s.target_rps;  // side by side: the planned rates add
      mine->iterations += s.iterations;
      mine->duration_s = std::max(mine->duration_s, s.duration_s);
      for (const auto& st : s.steps) {
        auto step = std::find_if(mine->steps.begin(), mine->steps.end(),
                                 [&](const metrics::StepResult& x) { return x.name == st.name; });
        if (step == mine->steps.end()) mine->steps.push_back(st);
        else step->metrics.add(st.metrics);
      }
    }
  }
  check_segments(runs);
  out.run.info.segment_index = 0;  // all segments together: the whole run
  out.run.info.segment_count = 1;
  for (const auto& r : runs) {
    out.run.start_late_ms = std::max(out.run.start_late_ms, r.run.start_late_ms);
    out.run.series_histograms = out.run.series_histograms && r.run.series_histograms;
  }
  out.run.series = merge_series(runs, out.run.start_unix_ms);
  out.path.clear();
  return out;
}

}  // namespace tollgate::reports
