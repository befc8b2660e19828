import { counted, pct } from '../core/figures.js';
import { RESULT_STATUSES, SCORE_BUCKETS } from '../core/run-counters.js';
import type { StatsSnapshot } from './stats.js';

/** The monitor's text frame for one snapshot. Pure, so tests compare exact lines. */

const BAR_WIDTH = 30;
const SPARK = '▁▂▃▄▅▆▇█';

export function bar(value: number, total: number, width = BAR_WIDTH): string {
  const filled = total > 0 ? Math.round((Math.min(value, total) / total) * width) : 0;
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatPercent(part: number, total: number): string {
  return pct(part, total);
}

export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return 'unknown (no recent results)';
  if (seconds === 0) return 'done';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  if (max === 0) return values.map(() => SPARK[0]).join('');
  return values
    .map((v) => SPARK[Math.min(SPARK.length - 1, Math.round((v / max) * (SPARK.length - 1)))])
    .join('');
}

/** Repository-controlled text (names, error details) must not drive the terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function row(label: string, count: number, total: number, labelWidth: number): string {
  return `  ${printable(label).padEnd(labelWidth)} ${formatInt(count).padStart(8)}  ${formatPercent(count, total).padStart(6)}  ${bar(count, total)}`;
}

/** Each stratum's effective rows (success + partial) against its goal, and the reserve it used. */
function strataLines(strata: NonNullable<StatsSnapshot['strata']>): string[] {
  const names = Object.keys(strata);
  const width = Math.max(12, ...names.map((n) => printable(n).length));
  const lines = ['', 'Strata (effective rows / target, reserve used)'];
  for (const name of names) {
    const p = strata[name]!;
    const gap = p.gap > 0 ? `  gap ${formatInt(p.gap)}` : '';
    const spent = p.exhausted_at ? ' (reserve exhausted)' : '';
    lines.push(
      `  ${printable(name).padEnd(width)} ${formatInt(p.effective).padStart(7)} / ${formatInt(p.goal).padEnd(7)} ${formatPercent(p.effective, p.goal).padStart(6)}  ${bar(p.effective, p.goal)}  reserve ${formatInt(p.released)}/${formatInt(p.reserve)}${gap}${spent}`,
    );
  }
  return lines;
}

export function renderMonitor(s: StatsSnapshot): string {
  const lines: string[] = [];
  const run = s.runId ? `run ${printable(s.runId)}` : 'no run id';
  const started = s.startedAt ? `, started ${s.startedAt}` : '';
  lines.push(`stratum-pipeline monitor · ${run}${started} · ${s.generatedAt}`);
  lines.push(`Source: ${s.source === 'redis' ? '' : 'FALLBACK: '}${printable(s.sourceNote)}`);
  if (
    !s.runId &&
    s.results === 0 &&
    (s.queue === null || s.queue.waiting + s.queue.active + s.queue.delayed === 0)
  )
    lines.push(
      'No run here yet: nothing enqueued under this queue prefix and no result file. ' +
        'Check STRATUM_QUEUE_PREFIX, REDIS_URL and --data-dir, or start a run with `stratum-pipeline scan`.',
    );
  if (s.corruptLines > 0) lines.push(`  (${formatInt(s.corruptLines)} unreadable lines skipped)`);
  lines.push('');

  if (s.manifestCount !== null) {
    const enq =
      s.enqueued === null
        ? ''
        : `  · enqueued ${formatInt(s.enqueued)}${s.enqueueFinished ? ' (all)' : ' …'}`;
    lines.push(
      `Progress  ${formatInt(s.results)} / ${formatInt(s.manifestCount)} repos  ${(s.percent ?? 0).toFixed(1)}%  ${bar(s.results, s.manifestCount)}${enq}`,
    );
  } else {
    lines.push(`Progress  ${counted(s.results, 'repo')} (manifest size unknown)`);
  }
  lines.push('');

  lines.push('Status');
  for (const st of RESULT_STATUSES) lines.push(row(st, s.byStatus[st], s.results, 12));
  lines.push('');

  const scored = SCORE_BUCKETS.reduce((a, b) => a + s.byScoreBucket[b], 0);
  lines.push(`Risk score (${formatInt(scored)} scored)`);
  for (const b of SCORE_BUCKETS) lines.push(row(b, s.byScoreBucket[b], scored, 12));
  lines.push('');

  lines.push(
    `Top frameworks (${Math.min(10, s.frameworkCount)} of ${s.frameworkCount}, share of the ${counted(s.effective, 'repo')} with scan data: success + partial)`,
  );
  if (s.topFrameworks.length === 0) lines.push('  (none yet)');
  const fwWidth = Math.max(12, ...s.topFrameworks.map((f) => f.name.length));
  for (const f of s.topFrameworks) lines.push(row(f.name, f.count, s.effective, fwWidth));
  lines.push('');

  const avg = s.durationAvgMs === null ? '–' : formatDurationMs(s.durationAvgMs);
  const p95 = s.durationP95Overflow
    ? '> 300 s'
    : s.durationP95Ms === null
      ? '–'
      : `≤ ${formatDurationMs(s.durationP95Ms)}`;
  // scan_duration_ms of each row: the scanner's time, without the clone and the queue wait.
  lines.push(`Scan time   avg ${avg}   p95 ${p95}   (scanner only, per repo)`);
  const tp = s.throughput.perMinute === null ? '–' : `${s.throughput.perMinute.toFixed(1)}/min`;
  const recent = s.throughput.series.slice(-15).map((p) => p.results);
  lines.push(
    `Throughput  ${tp} over the last ${s.throughput.windowMinutes} min   ETA ${formatEta(s.etaSeconds)}   last 15 min ${sparkline(recent)}`,
  );
  if (s.retries > 0 || s.rateLimitHits > 0 || s.replaced > 0)
    lines.push(
      `            retries ${formatInt(s.retries)}   rate-limit hits ${formatInt(s.rateLimitHits)}   rows replaced ${formatInt(s.replaced)}`,
    );

  if (s.queue) {
    const q = s.queue;
    lines.push(
      `Queue       waiting ${formatInt(q.waiting + q.prioritized)}   active ${formatInt(q.active)}   delayed ${formatInt(q.delayed)}   failed ${formatInt(q.failed)}   workers ${formatInt(q.workers)}`,
    );
  } else {
    lines.push('Queue       unknown (Redis not reachable)');
  }
  if (s.topFailures.length > 0)
    lines.push(
      `Failures    ${s.topFailures.map((f) => `${printable(f.reason)} ${formatInt(f.count)}`).join('   ')}`,
    );
  if (s.lastError) {
    const e = s.lastError;
    const reason = e.reason ? ` (${e.reason})` : '';
    const detail = printable(e.detail.replace(/\s+/g, ' ')).slice(0, 160);
    lines.push(
      `Last error  ${printable(e.repo)}  ${printable(e.status)}${printable(reason)} at ${e.at}: ${detail}`,
    );
  } else {
    lines.push('Last error  none');
  }
  if (s.strata) lines.push(...strataLines(s.strata));
  if (s.audit) {
    const gates =
      s.audit.gatesTotal === undefined ? '' : `, gates ${s.audit.gatesPassed}/${s.audit.gatesTotal} passed`;
    lines.push(
      `Audit       ${s.audit.state} at ${s.audit.at}${gates}${s.audit.error ? `: ${printable(s.audit.error)}` : ''}`,
    );
  }
  return lines.join('\n') + '\n';
}
