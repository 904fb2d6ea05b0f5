// report.html's script: draws the page from the run's data (the JSON in
// #tollgate-data) with Chart.js. Embedded at build time (reports/CMakeLists.txt).
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

  // Over time: the percentiles and request rate of every step, or of the
  // step picked in the selector; TTFT and ITL of the streams that ended
  // each second. All steps: p50 weighted by requests, p90/p99 the highest.
  const P = S.series.points;
  const t = P.map(p => fmt(p.t, 0));
  const sum = a => a.reduce((x, y) => x + y, 0);
  const streamed = P.some(p => p.ttft_p99_ms);
  const charts_over_time = [];
  const over_time = pick => {
    const only = pick >= 0;
    const of = (p, key) => only ? [(p[key] || [])[pick]] : p[key];  // a second without streams has no ttft/itl
    const reqs = p => only ? [p.requests[pick]] : p.requests;
    const rate = P.map(p => p.length_s > 0 ? sum(reqs(p)) / p.length_s : 0);
    const weighted = key => P.map(p => {
      const v = of(p, key) || [], n = reqs(p);
      let w = 0, x = 0;
      v.forEach((y, i) => { if (y !== null && y !== undefined && n[i] > 0) { w += n[i]; x += y * n[i]; } });
      return w ? x / w : null;
    });
    const worst = key => P.map(p => { const v = (of(p, key) || []).filter(y => y !== null && y !== undefined);
                                       return v.length ? Math.max(...v) : null; });
    charts_over_time.forEach(c => c.destroy());
    charts_over_time.length = 0;
    charts_over_time.push(new Chart(document.getElementById('chart-time'), {
      type: 'line',
      data: { labels: t, datasets: [
        { label: 'p50 (ms)', data: weighted('p50_ms'), borderColor: palette[0], yAxisID: 'y', pointRadius: 0 },
        { label: 'p90 (ms)', data: worst('p90_ms'), borderColor: palette[3], yAxisID: 'y', pointRadius: 0 },
        { label: 'p99 (ms)', data: worst('p99_ms'), borderColor: palette[1], yAxisID: 'y', pointRadius: 0 },
        { label: 'requests/s', data: rate, borderColor: palette[2], borderDash: [4, 3], yAxisID: 'y2', pointRadius: 0 },
        { label: 'in flight', data: P.map(p => p.in_flight), borderColor: palette[8], borderDash: [2, 2], yAxisID: 'y2', pointRadius: 0, hidden: true } ] },
      options: { responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        scales: { x: { title: { display: true, text: 'seconds since start' } },
                  y: { title: { display: true, text: 'latency (ms, from the intended time)' }, beginAtZero: true },
                  y2: { position: 'right', title: { display: true, text: 'requests/s' }, beginAtZero: true, grid: { drawOnChartArea: false } } } }
    }));
    if (streamed)
      charts_over_time.push(new Chart(document.getElementById('chart-stream-time'), {
        type: 'line',
        data: { labels: t, datasets: [
          { label: 'TTFT p50 (ms)', data: weighted('ttft_p50_ms'), borderColor: palette[0], pointRadius: 0, spanGaps: true },
          { label: 'TTFT p99 (ms)', data: worst('ttft_p99_ms'), borderColor: palette[1], pointRadius: 0, spanGaps: true },
          { label: 'ITL p50 (ms)', data: weighted('itl_p50_ms'), borderColor: palette[2], pointRadius: 0, spanGaps: true, yAxisID: 'y2' },
          { label: 'ITL p99 (ms)', data: worst('itl_p99_ms'), borderColor: palette[3], pointRadius: 0, spanGaps: true, yAxisID: 'y2' } ] },
        options: { responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
          scales: { x: { title: { display: true, text: 'seconds since start' } },
                    y: { title: { display: true, text: 'TTFT (ms)' }, beginAtZero: true },
                    y2: { position: 'right', title: { display: true, text: 'ITL (ms)' }, beginAtZero: true, grid: { drawOnChartArea: false } } } }
      }));
  };
  const select = document.getElementById('step-select');
  select.appendChild(el('option', { value: '-1' }, 'all steps'));
  S.series.steps.forEach((name, i) => select.appendChild(el('option', { value: String(i) }, name)));
  select.addEventListener('change', () => over_time(Number(select.value)));
  over_time(-1);
  document.getElementById('chart-time').setAttribute('data-rendered', 'true');
  charts++;
  if (streamed) {
    document.getElementById('chart-stream-time').setAttribute('data-rendered', 'true');
    charts++;
  } else {
    document.getElementById('stream-time').style.display = 'none';
  }

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

  // A capacity search or sweep: each step's achieved throughput against its
  // p99 latency and TTFT, the SLO's latency limit, the knee marked.
  if (S.search) {
    const Q = S.search;
    const byRate = Q.steps.slice().sort((a, b) => a.achieved_rps - b.achieved_rps);
    const colour = s => !s.valid ? '#7f7f7f' : s.passed ? '#2ca02c' : '#d62728';
    const points = key => byRate.filter(s => s[key] !== undefined && s[key] >= 0).map(s => ({ x: s.achieved_rps, y: s[key] }));
    const datasets = [{ label: 'p99 latency (ms)', data: points('p99_ms'), borderColor: palette[1], showLine: true,
                        pointBackgroundColor: byRate.map(colour), pointRadius: 5 }];
    if (byRate.some(s => s.ttft_p99_ms !== undefined)) {
      datasets.push({ label: 'TTFT p99 (ms)', data: points('ttft_p99_ms'), borderColor: palette[0], showLine: true,
                      pointBackgroundColor: byRate.filter(s => s.ttft_p99_ms !== undefined).map(colour), pointRadius: 4 });
    }
    const top = Math.max(1, ...byRate.map(s => Math.max(s.p99_ms, s.ttft_p99_ms || 0)));
    const lo = Math.min(...byRate.map(s => s.achieved_rps)), hi = Math.max(...byRate.map(s => s.achieved_rps));
    Q.slo.forEach(expr => {  // a latency limit of the SLO as a horizontal line
      const m = /^(?:[^:]*:\s*)?(latency|ttft|e2e)\.p\d+\s*<=?\s*([\d.]+)(ms|s|us)\s*$/.exec(expr);
      if (!m) return;
      const ms = Number(m[2]) * (m[3] === 's' ? 1000 : m[3] === 'us' ? 0.001 : 1);
      datasets.push({ label: 'SLO ' + expr, data: [{ x: lo, y: ms }, { x: hi, y: ms }], borderColor: '#ff7f0e',
                      borderDash: [6, 4], showLine: true, pointRadius: 0 });
    });
    if (Q.capacity_rps) {
      datasets.push({ label: 'capacity at the SLO: ' + fmt(Q.capacity_rps, 2) + '/s',
                      data: [{ x: Q.capacity_rps, y: 0 }, { x: Q.capacity_rps, y: top }], borderColor: '#2ca02c',
                      borderDash: [2, 3], showLine: true, pointRadius: 0 });
    }
    chart('chart-search', {
      type: 'scatter', data: { datasets },
      options: { responsive: true, maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: 'achieved requests/s' }, beginAtZero: true },
                  y: { title: { display: true, text: 'ms (green: met the SLO, red: missed, grey: invalid)' }, beginAtZero: true } } }
    });
    const section = document.getElementById('search');
    table(section, ['#', 'step', 'offered', 'achieved/s', 'p99 ms', 'TTFT p99 ms', 'goodput/s', 'verdict'],
          Q.steps.map((s, i) => [i + 1, S.scenarios[s.scenario] ? S.scenarios[s.scenario].name : '-',
                                 s.vus ? s.vus + ' VUs' : fmt(s.rate, 2) + '/s', fmt(s.achieved_rps, 2), fmt(s.p99_ms, 1),
                                 s.ttft_p99_ms === undefined ? '-' : fmt(s.ttft_p99_ms, 1),
                                 s.goodput_rps === undefined ? '-' : fmt(s.goodput_rps, 2),
                                 { text: !s.valid ? 'invalid: ' + s.invalid_reason : s.passed ? 'met' : 'missed',
                                   cls: s.passed ? '' : 'msg' }]));
    section.appendChild(el('p', {}, (Q.kind === 'capacity-search'
      ? 'Capacity at the SLO: ' + (Q.capacity_rps ? fmt(Q.capacity_rps, 2) + '/s' : 'none') + ' (' + Q.conclusion + ')'
      : Q.conclusion) + '. SLO: ' + (Q.slo.length ? Q.slo.join('; ') : 'none') + '.'));
  }

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
  S.scenarios.forEach(s => s.steps.forEach(st => Object.entries(st.error_messages || {}).forEach(([kind, said]) =>
    said.forEach(f => failures.push([s.name + ' / ' + st.name, kind + ' error', f.count, { text: f.message, cls: 'msg' }])))));
  if (failures.length) table(document.getElementById('failures'), ['step', 'check', 'count', 'message'], failures);
  else document.getElementById('failures').appendChild(el('p', {}, 'Every check passed and no request failed in transport.'));

  // Thresholds.
  table(document.getElementById('thresholds'), ['threshold', 'actual', 'verdict'],
        S.thresholds.map(th => [th.expr, th.shown || (th.actual === null ? 'no data' : fmt(th.actual, 4)),
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
