import { effectiveRows } from '../core/figures.js';
import {
  durationQuantileMs,
  type LastError,
  RESULT_STATUSES,
  type ResultStatus,
  type RunCounters,
  SCORE_BUCKETS,
} from '../core/run-counters.js';
import type { StratumProgress } from '../producer/backfill/backfill-report.js';

/**
 * What the monitor, the stats page, /api/stats and /metrics all show: one snapshot of a run,
 * computed from the run counters (and the queue state when Redis answers). Pure: `now` is
 * passed in, so the numbers are exact in tests.
 */

/** Queue state from BullMQ's counts (O(1) per state) and its connected workers. */
export interface QueueState {
  waiting: number;
  active: number;
  delayed: number;
  prioritized: number;
  waitingChildren: number;
  failed: number;
  completed: number;
  workers: number;
}

export type AuditState = 'running' | 'done' | 'failed';

/** The audit-on-drain marker of a run, as shown to users (no paths outside the data dir). */
export interface AuditStatus {
  state: AuditState;
  at: string;
  /** Set when done: the report can be opened at /audit/report. */
  reportAvailable: boolean;
  gatesPassed?: number;
  gatesTotal?: number;
  error?: string;
}

export interface ThroughputPoint {
  /** Epoch minute. */
  minute: number;
  results: number;
}

export interface StatsSnapshot {
  source: 'redis' | 'jsonl';
  /** Why the numbers come from where they come from, e.g. "Redis not reachable …". */
  sourceNote: string;
  generatedAt: string;
  runId: string | null;
  startedAt: string | null;
  manifestCount: number | null;
  enqueued: number | null;
  enqueueFinished: boolean;
  results: number;
  /** Rows with scan data (success + partial): the denominator of framework shares, as in the audit. */
  effective: number;
  /** results / manifestCount × 100, one decimal; null without a manifest count. */
  percent: number | null;
  byStatus: Record<ResultStatus, number>;
  byScoreBucket: Record<(typeof SCORE_BUCKETS)[number], number>;
  topFrameworks: { name: string; count: number }[];
  frameworkCount: number;
  topFailures: { reason: string; count: number }[];
  durationAvgMs: number | null;
  /** Upper bound of the histogram bucket holding p95 (null without data or when above the last bound). */
  durationP95Ms: number | null;
  /** True when p95 falls above the histogram's last bound. */
  durationP95Overflow: boolean;
  /** The counters' histogram: bucket upper bound (ms, or '+Inf') → count; and the sum (ms). */
  durationHistogram: Record<string, number>;
  durationSumMs: number;
  throughput: {
    windowMinutes: number;
    /** Results per minute over the window; null when the window has not begun. */
    perMinute: number | null;
    series: ThroughputPoint[];
  };
  /** Seconds until every manifest repository has its row at the current throughput. */
  etaSeconds: number | null;
  queue: QueueState | null;
  lastError: LastError | null;
  rateLimitHits: number;
  retries: number;
  /** Rows replaced by a rescan or a retry; `results` counts each repository once. */
  replaced: number;
  audit: AuditStatus | null;
  /** Unreadable lines met by the JSONL fallback. */
  corruptLines: number;
  /** Per stratum: effective rows against the goal and reserve used (runs with a back-fill; live source only). */
  strata?: Record<string, StratumProgress>;
}

export interface SnapshotInput {
  counters: RunCounters;
  queue: QueueState | null;
  now: number;
  source: StatsSnapshot['source'];
  sourceNote: string;
  /** Manifest size when meta does not carry it (JSONL fallback counts the manifest file). */
  manifestCount?: number | null;
  audit?: AuditStatus | null;
  corruptLines?: number;
}

export const THROUGHPUT_WINDOW_MINUTES = 5;
export const THROUGHPUT_SERIES_MINUTES = 30;
const TOP_FRAMEWORKS = 10;

function intOrNull(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** `started_at` may be an ISO string or epoch milliseconds. */
export function parseInstant(value: string | undefined): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/**
 * Results per minute over the last `windowMinutes` minute buckets (the current, partial one
 * included), divided by the time those buckets cover up to now — never earlier than the run's
 * start, so a young run is not underestimated.
 */
export function throughputPerMinute(
  perMinute: Record<string, number>,
  now: number,
  startedAt: number | null,
  windowMinutes = THROUGHPUT_WINDOW_MINUTES,
): number | null {
  const current = Math.floor(now / 60_000);
  const first = current - windowMinutes + 1;
  let count = 0;
  for (let m = first; m <= current; m++) count += perMinute[String(m)] ?? 0;
  const spanStart = Math.max(first * 60_000, startedAt ?? Number.NEGATIVE_INFINITY);
  const spanMs = now - spanStart;
  if (spanMs < 1000) return null;
  return count / (spanMs / 60_000);
}

export function throughputSeries(
  perMinute: Record<string, number>,
  now: number,
  minutes = THROUGHPUT_SERIES_MINUTES,
): ThroughputPoint[] {
  const current = Math.floor(now / 60_000);
  const out: ThroughputPoint[] = [];
  for (let m = current - minutes + 1; m <= current; m++)
    out.push({ minute: m, results: perMinute[String(m)] ?? 0 });
  return out;
}

export function etaSeconds(remaining: number, perMinute: number | null): number | null {
  if (remaining <= 0) return 0;
  if (perMinute === null || perMinute <= 0) return null;
  return Math.round((remaining / perMinute) * 60);
}

function top<T extends string>(counts: Record<string, number>, n: number, key: T) {
  return Object.entries(counts)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([name, count]) => ({ [key]: name, count })) as ({ [K in T]: string } & { count: number })[];
}

export function buildSnapshot(input: SnapshotInput): StatsSnapshot {
  const { counters: c, now } = input;
  const meta = c.meta;
  const manifestCount = intOrNull(meta.manifest_count) ?? input.manifestCount ?? null;
  const startedAtMs = parseInstant(meta.started_at);
  const perMinute = throughputPerMinute(c.perMinute, now, startedAtMs);
  const p95 = durationQuantileMs(c, 0.95);
  const remaining = manifestCount === null ? null : Math.max(0, manifestCount - c.results);
  return {
    source: input.source,
    sourceNote: input.sourceNote,
    generatedAt: new Date(now).toISOString(),
    runId: meta.run_id || null,
    startedAt: startedAtMs === null ? null : new Date(startedAtMs).toISOString(),
    manifestCount,
    enqueued: intOrNull(meta.enqueued),
    enqueueFinished: meta.enqueue_finished === '1',
    results: c.results,
    effective: effectiveRows(c.byStatus),
    percent:
      manifestCount === null || manifestCount === 0
        ? null
        : Math.round((c.results / manifestCount) * 1000) / 10,
    byStatus: Object.fromEntries(RESULT_STATUSES.map((s) => [s, c.byStatus[s] ?? 0])) as Record<
      ResultStatus,
      number
    >,
    byScoreBucket: Object.fromEntries(
      SCORE_BUCKETS.map((b) => [b, c.byScoreBucket[b] ?? 0]),
    ) as StatsSnapshot['byScoreBucket'],
    topFrameworks: top(c.byFramework, TOP_FRAMEWORKS, 'name'),
    frameworkCount: Object.values(c.byFramework).filter((n) => n > 0).length,
    topFailures: top(c.byFailure, 5, 'reason'),
    durationAvgMs: c.results > 0 ? Math.round(c.durationSumMs / c.results) : null,
    durationP95Ms: p95 === null || !Number.isFinite(p95) ? null : p95,
    durationP95Overflow: p95 !== null && !Number.isFinite(p95),
    durationHistogram: { ...c.durationHistogram },
    durationSumMs: c.durationSumMs,
    throughput: {
      windowMinutes: THROUGHPUT_WINDOW_MINUTES,
      perMinute: perMinute === null ? null : Math.round(perMinute * 100) / 100,
      series: throughputSeries(c.perMinute, now),
    },
    etaSeconds: remaining === null ? null : etaSeconds(remaining, perMinute),
    queue: input.queue,
    lastError: c.lastError,
    rateLimitHits: intOrNull(meta.rate_limit_hits) ?? 0,
    retries: intOrNull(meta.retries) ?? 0,
    replaced: c.replaced,
    audit: input.audit ?? null,
    corruptLines: input.corruptLines ?? 0,
  };
}
