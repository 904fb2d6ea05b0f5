#include "reports/html.h"

#include "reports/escape.h"
#include "reports/summary.h"

#include <cmath>

namespace tollgate::reports {

extern const char kChartJs[];
extern const char kReportCss[];
extern const char kReportJs[];

namespace {

using nlohmann::json;

// An HdrHistogram-style percentile curve: x = 1 / (1 - p) (log scale),
// y = the value at p in milliseconds.
json curve(const metrics::Histogram& h) {
  json points = json::array();
  if (h.total_count() == 0) return points;
  static const double kPercentiles[] = {0,    10,   20,   30,    40,     50,     60,     70,      75,     80,
                                        85,   87.5, 90,   92.5,  95,     96.875, 97.5,   98.4375, 99,     99.2188,
                                        99.5, 99.6, 99.7, 99.8,  99.9,   99.95,  99.97,  99.99,   99.995, 99.999};
  const double top = 1.0 / (1.0 - std::max(0.0, 1.0 - 1.0 / static_cast<double>(h.total_count())));
  for (const double p : kPercentiles) {
    const double x = 1.0 / (1.0 - p / 100.0);
    if (x > top * 1.0001 && p > 0) break;
    points.push_back({x, static_cast<double>(h.value_at_percentile(p)) / 1000.0});
  }
  points.push_back({top, static_cast<double>(h.max()) / 1000.0});
  return points;
}

// Drops the base64 histograms: the page draws from the curves.
void strip_histograms(json& summary) {
  for (auto& s : summary["scenarios"])
    for (auto& st : s["steps"]) st.erase("histograms");
}

std::string escape_script(std::string text) {
  // Inside <script>, "</" could end the element early.
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}


}  // namespace

const char* embedded_chart_js() { return kChartJs; }

std::string html_report(const metrics::RunResult& r) {
  json summary = summary_json(r);
  strip_histograms(summary);
  json curves = json::array();
  for (const auto& s : r.scenarios)
    for (const auto& st : s.steps)
      if (st.metrics.latency_us.total_count())
        curves.push_back({{"step", s.name + " / " + st.name}, {"points", curve(st.metrics.latency_us)}});
  const json data = {{"summary", summary}, {"curves", curves}};
  const auto text = [](const std::string& s) { return xml_escape(s); };
  const std::string title = "tollgate: " + r.info.scenario_file;
  std::string html;
  html.reserve(300'000);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + text(title) +
          "</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>" + kReportCss +
          "</style>\n";
  // Errors are collected for headless checks before anything else runs.
  html += "<script>window.__tollgateErrors=[];window.addEventListener('error',function(e){window.__tollgateErrors.push("
          "String(e.message))});(function(){var ce=console.error;console.error=function(){window.__tollgateErrors.push("
          "Array.prototype.join.call(arguments,' '));ce.apply(console,arguments)}})();</script>\n";
  html += "<script>" + std::string(kChartJs) + "\n</script>\n</head>\n<body>\n";
  html += "<header><h1>" + text(r.info.scenario_file) + " <span id=\"verdict\"></span></h1><div class=\"meta\">target " +
          text(r.info.target) + " &middot; " + text(summary["meta"]["start"].get<std::string>()) +
          " to " + text(summary["meta"]["end"].get<std::string>()) + " &middot; tollgate " +
          text(r.info.tollgate_version) + " &middot; " + text(summary["meta"]["host"].get<std::string>()) +
          "<br><code>" + text(summary["meta"]["command_line"].get<std::string>()) + "</code></div></header>\n<main>\n";
  html += "<section><h2>Overview</h2><div class=\"cards\" id=\"cards\"></div></section>\n";
  html += "<div class=\"charts\">"
          "<section><h2>Latency and request rate over time <select id=\"step-select\" "
          "aria-label=\"step\"></select></h2><canvas id=\"chart-time\"></canvas></section>"
          "<section id=\"stream-time\"><h2>TTFT and ITL over time (the step picked above)</h2>"
          "<canvas id=\"chart-stream-time\"></canvas></section>"
          "<section><h2>Percentile distribution (log scale)</h2><canvas id=\"chart-percentiles\"></canvas></section>"
          "<section><h2>Status codes and error kinds</h2><canvas id=\"chart-status\"></canvas></section></div>\n";
  if (r.search)
    html += "<section><h2>" + std::string(r.search->kind == "sweep" ? "Sweep" : "Capacity search") +
            ": throughput against latency</h2><canvas id=\"chart-search\"></canvas>"
            "<div id=\"search\"></div></section>\n";
  html += "<section><h2>Steps</h2><div id=\"steps\"></div></section>\n";
  html += "<section><h2>Failed checks and transport errors</h2><div id=\"failures\"></div></section>\n";
  html += "<section><h2>Thresholds</h2><div id=\"thresholds\"></div></section>\n";
  html += "<section><h2>Streaming (TTFT, ITL, TPOT in ms)</h2><div id=\"streaming\"></div></section>\n";
  html += "<section><h2>Contract coverage</h2><div id=\"coverage\"></div></section>\n";
  html += "</main>\n<script type=\"application/json\" id=\"tollgate-data\">" + escape_script(data.dump(-1, ' ', false, json_replace)) +
          "</script>\n<script>" + kReportJs +
          "</script>\n<script>document.body.setAttribute('data-errors',String(window.__tollgateErrors.length));"
          "document.body.setAttribute('data-error-text',window.__tollgateErrors.join(' | '));"
          "document.body.setAttribute('data-status','rendered');</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace tollgate::reports
