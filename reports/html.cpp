#include "reports/html.h"

#include "reports/writers.h"

#include <cmath>

namespace tollgate::reports {

extern const char kChartJs[];

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

constexpr const char* kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #1d2430; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .meta { color: #b8c0cc; font-size: 12px; }
main { padding: 18px 28px; max-width: 1400px; }
section { background: #fff; border-radius: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.08); padding: 14px 18px; margin-bottom: 18px; }
h2 { font-size: 16px; margin: 0 0 10px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; }
.pass { background: #d8f3dc; color: #1b5e20; } .fail { background: #fde2e1; color: #b3261e; }
.incomplete { background: #fff4ce; color: #7a5b00; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #f0f2f5; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 18px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid #e6e8eb; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.msg { text-align: left; white-space: normal; color: #b3261e; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 18px; }
canvas { width: 100% !important; height: 320px !important; }
code, pre { font: 12px/1.4 ui-monospace, Menlo, monospace; }
pre { background: #f0f2f5; padding: 8px; border-radius: 6px; overflow-x: auto; }
)css";

constexpr const char* kScript = R"js(
(function () {
  const D = JSON.parse(document.getElementById('tollgate-data').textContent);
  const S = D.summary;
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in (attrs || {})) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = (v, d) => (v === null || v === undefined || Number.isNaN(v)) ? '-' : Number(v).toFixed(d === undefined ? 3 : d);
  const table = (parent, head, rows) => {
    const t = el('table'), tr = el('tr');
    head.forEach(h => tr.appendChild(el('th', {}, h)));
    t.appendChild(tr);
    rows.forEach(r => {
      const row = el('tr');
      r.forEach(c => {
        if (c && typeof c === 'object') row.appendChild(el('td', { class: c.cls || '' }, c.text));
        else row.appendChild(el('td', {}, String(c)));
      });
      t.appendChild(row);
    });
    parent.appendChild(t);
  };
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 12;
  let charts = 0;
  const chart = (id, config) => {
    new Chart(document.getElementById(id), config);
    document.getElementById(id).setAttribute('data-rendered', 'true');
    charts++;
  };

  // Overview.
  const verdict = document.getElementById('verdict');
  const incomplete = S.passed && S.totals.unsupported > 0;
  verdict.textContent = S.interrupted ? 'INTERRUPTED' : S.passed ? (incomplete ? 'PASS (INCOMPLETE)' : 'PASS') : 'FAIL';
  verdict.className = 'verdict ' + (S.passed ? (incomplete ? 'incomplete' : 'pass') : 'fail');
  const cards = document.getElementById('cards');
  const card = (label, value) => { const c = el('div', { class: 'card' }, label); c.appendChild(el('b', {}, value)); cards.appendChild(c); };
  card('requests', S.totals.requests);
  card('requests/s', fmt(S.totals.rps, 1));
  card('errors', S.totals.errors);
  card('checks passed', S.totals.checks.passed + ' / ' + (S.totals.checks.passed + S.totals.checks.failed));
  card('duration', fmt(S.duration_s, 1) + ' s');
  card('not supported', S.totals.unsupported);

  // Over time: the run's percentiles (every step) and request rate.
  const P = S.series.points;
  const t = P.map(p => fmt(p.t, 0));
  const sum = a => a.reduce((x, y) => x + y, 0);
  const rate = P.map(p => p.length_s > 0 ? sum(p.requests) / p.length_s : 0);
  const weighted = P.map(p => { const n = sum(p.requests); return n ? sum(p.p50_ms.map((v, i) => v * p.requests[i])) / n : null; });
  const worst = key => P.map(p => p[key].length ? Math.max(...p[key]) : null);
  chart('chart-time', {
    type: 'line',
    data: { labels: t, datasets: [
      { label: 'p50 (ms)', data: weighted, borderColor: palette[0], yAxisID: 'y', pointRadius: 0 },
      { label: 'p90 (ms)', data: worst('p90_ms'), borderColor: palette[3], yAxisID: 'y', pointRadius: 0 },
      { label: 'p99 (ms)', data: worst('p99_ms'), borderColor: palette[1], yAxisID: 'y', pointRadius: 0 },
      { label: 'requests/s', data: rate, borderColor: palette[2], borderDash: [4, 3], yAxisID: 'y2', pointRadius: 0 },
      { label: 'in flight', data: P.map(p => p.in_flight), borderColor: palette[8], borderDash: [2, 2], yAxisID: 'y2', pointRadius: 0, hidden: true } ] },
    options: { responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
      scales: { x: { title: { display: true, text: 'seconds since start' } },
                y: { title: { display: true, text: 'latency (ms, from the intended time)' }, beginAtZero: true },
                y2: { position: 'right', title: { display: true, text: 'requests/s' }, beginAtZero: true, grid: { drawOnChartArea: false } } } }
  });

  // Percentile distribution, HdrHistogram style.
  chart('chart-percentiles', {
    type: 'line',
    data: { datasets: D.curves.map((c, i) => ({ label: c.step, data: c.points.map(p => ({ x: p[0], y: p[1] })),
                                               borderColor: palette[i % palette.length], pointRadius: 0, stepped: false })) },
    options: { responsive: true, maintainAspectRatio: false, parsing: false,
      scales: { x: { type: 'logarithmic', min: 1, title: { display: true, text: 'percentile' },
                     ticks: { callback: v => { const p = 100 * (1 - 1 / v); const known = [0, 90, 99, 99.9, 99.99, 99.999];
                                                return known.some(k => Math.abs(k - p) < 1e-6) ? p + '%' : ''; } } },
                y: { title: { display: true, text: 'latency (ms)' }, beginAtZero: true } } }
  });

  // Status codes and error kinds over every step.
  const statuses = {}, errors = {};
  S.scenarios.forEach(s => s.steps.forEach(st => {
    for (const k in st.status) statuses[k] = (statuses[k] || 0) + st.status[k];
    for (const k in st.errors) errors[k] = (errors[k] || 0) + st.errors[k];
  }));
  const codes = Object.keys(statuses).sort();
  const kinds = Object.keys(errors).sort();
  chart('chart-status', {
    type: 'bar',
    data: { labels: codes.map(c => 'HTTP ' + c).concat(kinds.map(k => 'error: ' + k)),
            datasets: [{ label: 'responses', data: codes.map(c => statuses[c]).concat(kinds.map(k => errors[k])),
                         backgroundColor: codes.map(c => c < '400' ? '#2ca02c' : c < '500' ? '#ff7f0e' : '#d62728')
                                               .concat(kinds.map(() => '#7f7f7f')) }] },
    options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
               scales: { y: { beginAtZero: true } } }
  });

  // Per step.
  const rows = [];
  S.scenarios.forEach(s => s.steps.forEach(st => {
    const l = st.latency_ms;
    rows.push([s.name + ' / ' + st.name, st.requests, st.error_count, fmt(st.rate.achieved, 1), fmt(l.p50), fmt(l.p90),
               fmt(l.p99), fmt(l.p999), fmt(l.max), fmt(st.service_time_ms.p99), st.checks.passed + '/' + (st.checks.passed + st.checks.failed)]);
  }));
  table(document.getElementById('steps'), ['step', 'requests', 'errors', 'rate/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'service p99 ms', 'checks'], rows);
  const failures = [];
  S.scenarios.forEach(s => s.steps.forEach(st => (st.checks.detail || []).forEach(c => (c.failures || []).forEach(f =>
    failures.push([s.name + ' / ' + st.name, c.name, f.count, { text: f.message, cls: 'msg' }])))));
  if (failures.length) table(document.getElementById('failures'), ['step', 'check', 'count', 'message'], failures);
  else document.getElementById('failures').appendChild(el('p', {}, 'Every check passed.'));

  // Thresholds.
  table(document.getElementById('thresholds'), ['threshold', 'actual', 'verdict'],
        S.thresholds.map(th => [th.expr, th.actual === null ? 'no data' : fmt(th.actual, 4),
                                { text: th.passed ? 'pass' : 'FAIL', cls: th.passed ? '' : 'msg' }]));

  // Streaming.
  const streams = [];
  S.scenarios.forEach(s => s.steps.forEach(st => { if (st.stream) {
    const m = st.stream;
    streams.push([s.name + ' / ' + st.name, m.streams, fmt(m.ttft_ms.p50), fmt(m.ttft_ms.p99), fmt(m.itl_ms.p50), fmt(m.itl_ms.p99),
                  fmt(m.tpot_ms.p50), fmt(m.e2e_ms.p99), m.output_tokens, fmt(m.tokens_per_s.p50, 0)]);
  }}));
  const streamSection = document.getElementById('streaming');
  if (streams.length) {
    table(streamSection, ['step', 'streams', 'TTFT p50', 'TTFT p99', 'ITL p50', 'ITL p99', 'TPOT p50', 'e2e p99', 'tokens', 'tokens/s p50'], streams);
    streamSection.appendChild(el('pre', {}, S.stream_metric_definitions.join('\n')));
  } else {
    streamSection.appendChild(el('p', {}, 'No streamed responses in this run.'));
  }

  // Coverage.
  const cov = S.coverage.map(c => [c.spec || c.spec_file || '', (c.operations ? c.operations.covered + '/' + c.operations.total : '-'),
                                   (c.statuses ? c.statuses.covered + '/' + c.statuses.total : '-')]);
  if (cov.length) table(document.getElementById('coverage'), ['contract', 'operations', 'documented statuses'], cov);
  else document.getElementById('coverage').appendChild(el('p', {}, 'No contract (spec:) in this scenario.'));

  document.body.setAttribute('data-charts', String(charts));
})();
)js";

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
          "</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>" + kStyle +
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
          "<section><h2>Latency and request rate over time</h2><canvas id=\"chart-time\"></canvas></section>"
          "<section><h2>Percentile distribution (log scale)</h2><canvas id=\"chart-percentiles\"></canvas></section>"
          "<section><h2>Status codes and error kinds</h2><canvas id=\"chart-status\"></canvas></section></div>\n";
  html += "<section><h2>Steps</h2><div id=\"steps\"></div></section>\n";
  html += "<section><h2>Failed checks</h2><div id=\"failures\"></div></section>\n";
  html += "<section><h2>Thresholds</h2><div id=\"thresholds\"></div></section>\n";
  html += "<section><h2>Streaming (TTFT, ITL, TPOT in ms)</h2><div id=\"streaming\"></div></section>\n";
  html += "<section><h2>Contract coverage</h2><div id=\"coverage\"></div></section>\n";
  html += "</main>\n<script type=\"application/json\" id=\"tollgate-data\">" + escape_script(data.dump()) +
          "</script>\n<script>" + kScript +
          "</script>\n<script>document.body.setAttribute('data-errors',String(window.__tollgateErrors.length));"
          "document.body.setAttribute('data-error-text',window.__tollgateErrors.join(' | '));"
          "document.body.setAttribute('data-status','rendered');</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace tollgate::reports
