/**
 * The stats page: static HTML, CSS and a small script that polls /api/stats and draws the
 * charts as inline SVG. No CDN and no inline script (the CSP allows 'self' only). Every value
 * from the run — framework names, repository names, error details come from hostile
 * repositories — reaches the DOM through textContent, never through HTML.
 */

export function statsPageHtml(options: { refreshSeconds: number; bullBoardPath: string }): string {
  const refresh = Math.max(1, Math.floor(options.refreshSeconds));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stratum-pipeline · run stats</title>
<link rel="stylesheet" href="assets/stats.css">
<script defer src="assets/stats.js"></script>
</head>
<body data-refresh-seconds="${refresh}">
<header>
  <h1>stratum-pipeline <span class="muted">run stats</span></h1>
  <nav><a href="${options.bullBoardPath}/">Queue (bull-board)</a> · <a href="api/stats">JSON</a> · <a href="metrics">Prometheus</a> <span id="audit-link"></span></nav>
  <p class="muted"><span id="run">–</span> · updated <span id="generated-at">–</span> · <span id="source">loading…</span></p>
  <p id="error-banner" class="banner" hidden></p>
</header>
<main>
  <section class="cards">
    <div class="card wide"><h2>Progress</h2>
      <p class="big"><span id="results">–</span> / <span id="manifest">–</span> <span class="muted">repos</span> · <span id="percent">–</span></p>
      <div class="progress"><div id="progress-bar"></div></div>
      <p class="muted" id="enqueue">–</p></div>
    <div class="card"><h2>Throughput</h2><p class="big" id="throughput">–</p><p class="muted">ETA <span id="eta">–</span></p><p class="muted">retries <span id="retries">–</span> · rate-limit hits <span id="rate-limit-hits">–</span> · rows replaced <span id="replaced">–</span></p></div>
    <div class="card"><h2>Scan time (scanner only)</h2><p class="big">avg <span id="duration-avg">–</span></p><p class="muted">p95 <span id="duration-p95">–</span></p></div>
    <div class="card"><h2>Queue</h2><dl class="queue">
      <dt>waiting</dt><dd id="queue-waiting">–</dd><dt>active</dt><dd id="queue-active">–</dd>
      <dt>delayed</dt><dd id="queue-delayed">–</dd><dt>failed</dt><dd id="queue-failed">–</dd>
      <dt>workers</dt><dd id="queue-workers">–</dd></dl></div>
  </section>
  <section class="charts">
    <figure><figcaption>Status</figcaption><svg id="chart-status" role="img" aria-label="results by status"></svg></figure>
    <figure><figcaption>Risk score</figcaption><svg id="chart-score" role="img" aria-label="risk-score buckets"></svg></figure>
    <figure><figcaption>Top frameworks</figcaption><svg id="chart-frameworks" role="img" aria-label="top frameworks"></svg></figure>
    <figure><figcaption>Results per minute (last 30 min, UTC)</figcaption><svg id="chart-throughput" role="img" aria-label="throughput over time"></svg></figure>
  </section>
  <section class="card wide" id="strata-card" hidden><h2>Strata: effective rows / target, reserve used</h2><pre id="strata" class="mono"></pre></section>
  <section class="card wide"><h2>Last error</h2><p id="last-error" class="mono">none</p>
    <p class="muted" id="failures"></p></section>
</main>
</body>
</html>
`;
}

export const STATS_PAGE_CSS = `
:root { --bg:#10151c; --panel:#19212b; --fg:#e6edf3; --muted:#8b96a5; --accent:#4aa3ff; }
* { box-sizing: border-box; }
body { margin:0; padding:1.2rem 1.6rem; background:var(--bg); color:var(--fg); font:14px/1.45 system-ui, sans-serif; }
h1 { font-size:1.3rem; margin:0 0 .3rem; } h2 { font-size:.8rem; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 .5rem; }
a { color:var(--accent); } .muted { color:var(--muted); } .mono { font-family:ui-monospace, monospace; white-space:pre-wrap; word-break:break-word; }
.banner { background:#5a1d1d; padding:.4rem .7rem; border-radius:4px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(210px, 1fr)); gap:.8rem; margin:.8rem 0; }
.card { background:var(--panel); border-radius:6px; padding:.8rem 1rem; } .card.wide { grid-column:span 2; }
.big { font-size:1.5rem; margin:.2rem 0; font-variant-numeric:tabular-nums; }
.progress { height:10px; background:#26303c; border-radius:5px; overflow:hidden; } #progress-bar { height:100%; width:0; background:var(--accent); transition:width .4s; }
.queue { display:grid; grid-template-columns:auto 1fr; gap:.1rem .8rem; margin:0; } .queue dd { margin:0; text-align:right; font-variant-numeric:tabular-nums; }
.charts { display:grid; grid-template-columns:repeat(auto-fit, minmax(380px, 1fr)); gap:.8rem; }
figure { background:var(--panel); border-radius:6px; margin:0; padding:.8rem 1rem; } figcaption { color:var(--muted); font-size:.8rem; text-transform:uppercase; letter-spacing:.06em; margin-bottom:.4rem; }
svg { width:100%; height:220px; display:block; } svg text { fill:var(--fg); font-size:11px; } svg .axis { fill:var(--muted); }
`;

export const STATS_PAGE_JS = `'use strict';
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var STATUS_COLORS = { success: '#3fb950', partial: '#d29922', failed: '#f85149', empty: '#8b96a5', quarantined: '#a371f7' };
  var refreshMs = Number(document.body.dataset.refreshSeconds || '5') * 1000;

  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) el.textContent = value; }
  function fmt(n) { return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'); }
  function ms(v) { if (v === null || v === undefined) return '–'; if (v < 1000) return v + ' ms'; if (v < 60000) return (v / 1000).toFixed(1) + ' s'; return (v / 60000).toFixed(1) + ' min'; }
  function eta(s) { if (s === null) return 'unknown'; if (s === 0) return 'done'; var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60); return h > 0 ? h + 'h ' + m + 'm' : m > 0 ? m + 'm ' + (s % 60) + 's' : s + 's'; }
  function el(name, attrs, content) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (content !== undefined) e.textContent = content;
    return e;
  }
  function clear(svg) { while (svg.firstChild) svg.removeChild(svg.firstChild); }

  function hbars(id, rows) {
    var svg = $(id); clear(svg);
    var w = svg.clientWidth || 400, h = svg.clientHeight || 220;
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    if (rows.length === 0) { svg.appendChild(el('text', { x: 8, y: 20, class: 'axis' }, 'no data yet')); return; }
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; }).concat([1]));
    var labelW = 110, countW = 60, rowH = Math.min(28, h / rows.length);
    rows.forEach(function (r, i) {
      var y = i * rowH, bw = Math.max(0, (w - labelW - countW) * r.value / max);
      var g = el('g', { 'data-label': r.label, 'data-value': r.value });
      g.appendChild(el('text', { x: 0, y: y + rowH * 0.65 }, r.label.length > 16 ? r.label.slice(0, 15) + '…' : r.label));
      g.appendChild(el('rect', { x: labelW, y: y + rowH * 0.15, width: bw, height: rowH * 0.7, rx: 2, fill: r.color || '#4aa3ff' }));
      g.appendChild(el('text', { x: labelW + bw + 6, y: y + rowH * 0.65 }, fmt(r.value)));
      svg.appendChild(g);
    });
  }

  function columns(id, cols, color) {
    var svg = $(id); clear(svg);
    var w = svg.clientWidth || 400, h = svg.clientHeight || 220, pad = 18;
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    var max = Math.max.apply(null, cols.map(function (c) { return c.value; }).concat([1]));
    var cw = w / Math.max(1, cols.length);
    cols.forEach(function (c, i) {
      var bh = (h - 2 * pad) * c.value / max, x = i * cw;
      var g = el('g', { 'data-label': c.label, 'data-value': c.value });
      g.appendChild(el('rect', { x: x + cw * 0.12, y: h - pad - bh, width: cw * 0.76, height: bh, rx: 2, fill: color }));
      if (c.showValue !== false && c.value > 0) g.appendChild(el('text', { x: x + cw / 2, y: h - pad - bh - 3, 'text-anchor': 'middle' }, fmt(c.value)));
      if (c.axis) {
        var last = i === cols.length - 1 && cols.length > 10;
        g.appendChild(el('text', { x: last ? x + cw : x + cw / 2, y: h - 4, 'text-anchor': last ? 'end' : 'middle', class: 'axis' }, c.axis));
      }
      svg.appendChild(g);
    });
  }

  function render(s) {
    text('run', s.runId ? 'run ' + s.runId : 'no run');
    text('generated-at', s.generatedAt);
    text('source', (s.source === 'redis' ? '' : 'FALLBACK: ') + s.sourceNote);
    text('results', fmt(s.results));
    text('manifest', fmt(s.manifestCount));
    text('percent', s.percent === null ? '–' : s.percent.toFixed(1) + '%');
    $('progress-bar').style.width = (s.percent === null ? 0 : Math.min(100, s.percent)) + '%';
    text('enqueue', s.enqueued === null ? 'enqueue: –' : 'enqueued ' + fmt(s.enqueued) + (s.enqueueFinished ? ' (all)' : ' (in progress)'));
    text('throughput', s.throughput.perMinute === null ? '–' : s.throughput.perMinute.toFixed(1) + ' / min');
    text('eta', eta(s.etaSeconds));
    text('retries', fmt(s.retries));
    text('rate-limit-hits', fmt(s.rateLimitHits));
    text('replaced', fmt(s.replaced));
    text('duration-avg', ms(s.durationAvgMs));
    text('duration-p95', s.durationP95Overflow ? '> 300 s' : s.durationP95Ms === null ? '–' : '≤ ' + ms(s.durationP95Ms));
    var q = s.queue;
    text('queue-waiting', q ? fmt(q.waiting + q.prioritized) : '?');
    text('queue-active', q ? fmt(q.active) : '?');
    text('queue-delayed', q ? fmt(q.delayed) : '?');
    text('queue-failed', q ? fmt(q.failed) : '?');
    text('queue-workers', q ? fmt(q.workers) : '?');
    var e = s.lastError;
    text('last-error', e ? e.repo + '  ' + e.status + (e.reason ? ' (' + e.reason + ')' : '') + ' at ' + e.at + '\\n' + e.detail : 'none');
    text('failures', s.topFailures.length ? 'failures: ' + s.topFailures.map(function (f) { return f.reason + ' ' + fmt(f.count); }).join(' · ') : '');
    var link = $('audit-link'); while (link.firstChild) link.removeChild(link.firstChild);
    if (s.audit) {
      if (s.audit.state === 'done' && s.audit.reportAvailable) {
        var a = document.createElement('a'); a.href = 'audit/report'; a.id = 'audit-report';
        a.textContent = 'Audit report' + (s.audit.gatesTotal !== undefined ? ' (' + s.audit.gatesPassed + '/' + s.audit.gatesTotal + ' gates passed)' : '');
        link.appendChild(document.createTextNode(' · ')); link.appendChild(a);
      } else {
        link.textContent = ' · audit ' + s.audit.state;
      }
    }
    var strataCard = $('strata-card');
    if (s.strata) {
      strataCard.hidden = false;
      text('strata', Object.keys(s.strata).map(function (k) {
        var p = s.strata[k], pct = p.goal ? Math.floor(p.effective * 100 / p.goal) : 100;
        return k + '  ' + fmt(p.effective) + ' / ' + fmt(p.goal) + ' (' + pct + '%)  reserve ' + fmt(p.released) + '/' + fmt(p.reserve) +
          (p.gap > 0 ? '  gap ' + fmt(p.gap) : '') + (p.exhausted_at ? ' (reserve exhausted)' : '');
      }).join('\\n'));
    } else strataCard.hidden = true;
    hbars('chart-status', Object.keys(s.byStatus).map(function (k) { return { label: k, value: s.byStatus[k], color: STATUS_COLORS[k] }; }));
    columns('chart-score', Object.keys(s.byScoreBucket).map(function (k) { return { label: k, value: s.byScoreBucket[k], axis: k }; }), '#d29922');
    hbars('chart-frameworks', s.topFrameworks.map(function (f) { return { label: f.name, value: f.count }; }));
    columns('chart-throughput', s.throughput.series.map(function (p, i, all) {
      var d = new Date(p.minute * 60000), hh = String(d.getUTCHours()).padStart(2, '0'), mm = String(d.getUTCMinutes()).padStart(2, '0');
      return { label: String(p.minute), value: p.results, showValue: false, axis: (i % 5 === 4 || i === all.length - 1) ? hh + ':' + mm : '' };
    }), '#4aa3ff');
  }

  function tick() {
    fetch('api/stats', { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (s) { $('error-banner').hidden = true; render(s); document.body.dataset.updates = String(Number(document.body.dataset.updates || '0') + 1); })
      .catch(function (err) { var b = $('error-banner'); b.hidden = false; b.textContent = 'stats unavailable: ' + err.message; })
      .finally(function () { setTimeout(tick, refreshMs); });
  }
  tick();
})();
`;
