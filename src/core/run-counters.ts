import type { Redis } from 'ioredis';
import type { Ping } from './contract/index.js';
import { rowReason } from './figures.js';

/**
 * The run's live counters in Redis: written by the single result writer as each row is made
 * durable, read by the monitor, the dashboard and /metrics in O(1) of the number of results.
 * `recordResult` is idempotent per repository (a set of written repos guards the increments),
 * so a writer that re-delivers a row after a crash never double counts.
 */
export const RESULT_STATUSES = ['success', 'partial', 'failed', 'empty', 'quarantined'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export const SCORE_BUCKETS = ['0-20', '21-40', '41-60', '61-80', '81-100'] as const;
/** Upper bounds (ms) of the scan-duration histogram; the last bucket is +Inf. */
export const DURATION_BOUNDS_MS = [
  100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000,
] as const;

export interface RunKeys {
  done: string;
  status: string;
  failure: string;
  framework: string;
  score: string;
  duration: string;
  minute: string;
  totals: string;
  lastError: string;
  meta: string;
  /** Tokens of replacement rows already counted (a replayed replacement counts once). */
  replaced: string;
  /** Ids of failed jobs whose row is written, kept in the queue so that they can be retried. */
  kept: string;
}

export function runKeys(prefix: string): RunKeys {
  const k = (name: string) => `${prefix}:stats:${name}`;
  return {
    done: k('done'),
    status: k('status'),
    failure: k('failure'),
    framework: k('framework'),
    score: k('score'),
    duration: k('duration'),
    minute: k('minute'),
    totals: k('totals'),
    lastError: k('last_error'),
    meta: k('meta'),
    replaced: k('replaced'),
    kept: k('kept_failed'),
  };
}

export function scoreBucket(score: number): (typeof SCORE_BUCKETS)[number] {
  if (score <= 20) return '0-20';
  if (score <= 40) return '21-40';
  if (score <= 60) return '41-60';
  if (score <= 80) return '61-80';
  return '81-100';
}

export function durationBucket(ms: number): string {
  const bound = DURATION_BOUNDS_MS.find((b) => ms <= b);
  return bound === undefined ? '+Inf' : String(bound);
}

/** What one written row contributes to the counters. */
export interface ResultFacts {
  repoFullName: string;
  status: ResultStatus;
  failureReason: string | null;
  frameworks: string[];
  riskScore: number | null;
  durationMs: number;
  /** Set for failed and quarantined rows: shown as the run's last error. */
  errorDetail?: string;
  finishedAt: number;
}

export function factsFromPing(ping: Ping, finishedAt = Date.now()): ResultFacts {
  const status = ping.scan_status;
  return {
    repoFullName: ping.repo_full_name,
    status,
    failureReason: rowReason(status, ping.failure_reason),
    frameworks: ping.frameworks ?? [],
    riskScore: status === 'success' || status === 'partial' ? (ping.risk_score ?? 0) : null,
    durationMs: ping.scan_duration_ms,
    ...(status === 'failed' ? { errorDetail: ping.failure_detail ?? ping.failure_reason ?? 'failed' } : {}),
    finishedAt,
  };
}

// KEYS: done status failure framework score duration minute totals lastError
// ARGV: repo status failure score durationBucket durationMs minute lastErrorJson nFrameworks fw...
const RECORD_LUA = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if ARGV[3] ~= '' then redis.call('HINCRBY', KEYS[3], ARGV[3], 1) end
if ARGV[4] ~= '' then redis.call('HINCRBY', KEYS[5], ARGV[4], 1) end
redis.call('HINCRBY', KEYS[6], ARGV[5], 1)
redis.call('HINCRBY', KEYS[7], ARGV[7], 1)
redis.call('HINCRBY', KEYS[8], 'results', 1)
redis.call('HINCRBY', KEYS[8], 'duration_sum_ms', ARGV[6])
if ARGV[8] ~= '' then redis.call('SET', KEYS[9], ARGV[8]) end
local n = tonumber(ARGV[9])
for i = 1, n do redis.call('HINCRBY', KEYS[4], ARGV[9 + i], 1) end
return 1
`;

type RedisWithRecord = Redis & { stratumRecordResult(...args: (string | number)[]): Promise<number> };

function withScript(redis: Redis): RedisWithRecord {
  const r = redis as RedisWithRecord;
  if (typeof r.stratumRecordResult !== 'function') {
    redis.defineCommand('stratumRecordResult', { numberOfKeys: 9, lua: RECORD_LUA });
  }
  return r;
}

/** The keys every row's counts live in, in the order both Lua scripts read them. */
function countKeys(k: ReturnType<typeof runKeys>): string[] {
  return [k.status, k.failure, k.framework, k.score, k.duration, k.minute, k.totals, k.lastError];
}

/** Adds one written row to the counters. Returns false when this repository was already counted. */
export async function recordResult(redis: Redis, prefix: string, facts: ResultFacts): Promise<boolean> {
  const k = runKeys(prefix);
  const lastError = lastErrorJson(facts);
  const added = await withScript(redis).stratumRecordResult(
    k.done,
    ...countKeys(k),
    facts.repoFullName,
    facts.status,
    facts.failureReason ?? '',
    facts.riskScore === null ? '' : scoreBucket(facts.riskScore),
    durationBucket(facts.durationMs),
    Math.max(0, Math.round(facts.durationMs)),
    Math.floor(facts.finishedAt / 60_000),
    lastError,
    facts.frameworks.length,
    ...facts.frameworks,
  );
  return added === 1;
}

// KEYS: replaced status failure framework score duration minute totals lastError
// ARGV: token | old: status failure score durationBucket durationMs | new: the same five |
//       minute lastErrorJson nOld oldFw... nNew newFw...
const REPLACE_LUA = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local function down(key, field)
  if field == '' then return end
  if redis.call('HINCRBY', key, field, -1) <= 0 then redis.call('HDEL', key, field) end
end
local function up(key, field)
  if field ~= '' then redis.call('HINCRBY', key, field, 1) end
end
down(KEYS[2], ARGV[2]) up(KEYS[2], ARGV[7])
down(KEYS[3], ARGV[3]) up(KEYS[3], ARGV[8])
down(KEYS[5], ARGV[4]) up(KEYS[5], ARGV[9])
down(KEYS[6], ARGV[5]) up(KEYS[6], ARGV[10])
redis.call('HINCRBY', KEYS[8], 'duration_sum_ms', tonumber(ARGV[11]) - tonumber(ARGV[6]))
redis.call('HINCRBY', KEYS[8], 'replaced', 1)
redis.call('HINCRBY', KEYS[7], ARGV[12], 1)
if ARGV[13] ~= '' then redis.call('SET', KEYS[9], ARGV[13]) end
local nOld = tonumber(ARGV[14])
for i = 1, nOld do down(KEYS[4], ARGV[14 + i]) end
local nNew = tonumber(ARGV[15 + nOld])
for i = 1, nNew do up(KEYS[4], ARGV[15 + nOld + i]) end
return 1
`;

type RedisWithReplace = Redis & { stratumReplaceResult(...args: (string | number)[]): Promise<number> };

function lastErrorJson(facts: ResultFacts): string {
  return facts.errorDetail !== undefined
    ? JSON.stringify({
        repo: facts.repoFullName,
        status: facts.status,
        reason: facts.failureReason,
        detail: facts.errorDetail.slice(0, 500),
        at: new Date(facts.finishedAt).toISOString(),
      })
    : '';
}

/**
 * Swaps a repository's counted row for its replacement: the old row's contributions are taken
 * away and the new one's added, in one script. Idempotent per `token` (the replacement row's
 * id): a writer that replays its journal after a crash counts nothing twice. The number of
 * distinct repositories (`results`) does not change; `replaced` counts the swaps.
 */
export async function replaceResult(
  redis: Redis,
  prefix: string,
  token: string,
  old: ResultFacts,
  next: ResultFacts,
): Promise<boolean> {
  const r = redis as RedisWithReplace;
  if (typeof r.stratumReplaceResult !== 'function')
    redis.defineCommand('stratumReplaceResult', { numberOfKeys: 9, lua: REPLACE_LUA });
  const k = runKeys(prefix);
  const parts = (f: ResultFacts) => [
    f.status,
    f.failureReason ?? '',
    f.riskScore === null ? '' : scoreBucket(f.riskScore),
    durationBucket(f.durationMs),
    Math.max(0, Math.round(f.durationMs)),
  ];
  const applied = await r.stratumReplaceResult(
    k.replaced,
    ...countKeys(k),
    token,
    ...parts(old),
    ...parts(next),
    Math.floor(next.finishedAt / 60_000),
    lastErrorJson(next),
    old.frameworks.length,
    ...old.frameworks,
    next.frameworks.length,
    ...next.frameworks,
  );
  return applied === 1;
}

/** Whether a repository already has its row (the writer's guard against writing it twice). */
export async function isRecorded(redis: Redis, prefix: string, repoFullName: string): Promise<boolean> {
  return (await redis.sismember(runKeys(prefix).done, repoFullName)) === 1;
}

export interface LastError {
  repo: string;
  status: string;
  reason: string | null;
  detail: string;
  at: string;
}

export interface RunCounters {
  results: number;
  /** Rows replaced by a rescan or a retry (each counted once). */
  replaced: number;
  byStatus: Record<ResultStatus, number>;
  byFailure: Record<string, number>;
  byFramework: Record<string, number>;
  byScoreBucket: Record<(typeof SCORE_BUCKETS)[number], number>;
  /** Histogram: bucket upper bound (ms, or '+Inf') → count. */
  durationHistogram: Record<string, number>;
  durationSumMs: number;
  /** Results per minute (epoch minute → count). */
  perMinute: Record<string, number>;
  lastError: LastError | null;
  meta: Record<string, string>;
}

export function emptyCounters(): RunCounters {
  return {
    results: 0,
    replaced: 0,
    byStatus: Object.fromEntries(RESULT_STATUSES.map((s) => [s, 0])) as Record<ResultStatus, number>,
    byFailure: {},
    byFramework: {},
    byScoreBucket: Object.fromEntries(SCORE_BUCKETS.map((b) => [b, 0])) as RunCounters['byScoreBucket'],
    durationHistogram: {},
    durationSumMs: 0,
    perMinute: {},
    lastError: null,
    meta: {},
  };
}

const toCounts = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)])) as Record<string, number>;

export async function readCounters(redis: Redis, prefix: string): Promise<RunCounters> {
  const k = runKeys(prefix);
  const res = await redis
    .multi()
    .hgetall(k.status)
    .hgetall(k.failure)
    .hgetall(k.framework)
    .hgetall(k.score)
    .hgetall(k.duration)
    .hgetall(k.minute)
    .hgetall(k.totals)
    .get(k.lastError)
    .hgetall(k.meta)
    .exec();
  const val = (i: number) => (res?.[i]?.[1] ?? {}) as Record<string, string>;
  const c = emptyCounters();
  Object.assign(c.byStatus, toCounts(val(0)));
  c.byFailure = toCounts(val(1));
  c.byFramework = toCounts(val(2));
  Object.assign(c.byScoreBucket, toCounts(val(3)));
  c.durationHistogram = toCounts(val(4));
  c.perMinute = toCounts(val(5));
  const totals = toCounts(val(6));
  c.results = totals.results ?? 0;
  c.replaced = totals.replaced ?? 0;
  c.durationSumMs = totals.duration_sum_ms ?? 0;
  const last = res?.[7]?.[1] as string | null;
  c.lastError = last ? (JSON.parse(last) as LastError) : null;
  c.meta = val(8);
  return c;
}

/** The same counters computed from result rows (the monitor's fallback when Redis is away). */
export function accumulate(c: RunCounters, facts: ResultFacts): void {
  c.results++;
  c.byStatus[facts.status]++;
  if (facts.failureReason) c.byFailure[facts.failureReason] = (c.byFailure[facts.failureReason] ?? 0) + 1;
  if (facts.riskScore !== null) c.byScoreBucket[scoreBucket(facts.riskScore)]++;
  const db = durationBucket(facts.durationMs);
  c.durationHistogram[db] = (c.durationHistogram[db] ?? 0) + 1;
  c.durationSumMs += Math.max(0, Math.round(facts.durationMs));
  const minute = String(Math.floor(facts.finishedAt / 60_000));
  c.perMinute[minute] = (c.perMinute[minute] ?? 0) + 1;
  for (const f of facts.frameworks) c.byFramework[f] = (c.byFramework[f] ?? 0) + 1;
  if (facts.errorDetail !== undefined)
    c.lastError = {
      repo: facts.repoFullName,
      status: facts.status,
      reason: facts.failureReason,
      detail: facts.errorDetail.slice(0, 500),
      at: new Date(facts.finishedAt).toISOString(),
    };
}

/** Upper bound (ms) of the histogram bucket holding the given quantile, or null without data. */
export function durationQuantileMs(c: RunCounters, q: number): number | null {
  const total = Object.values(c.durationHistogram).reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const bound of [...DURATION_BOUNDS_MS.map(String), '+Inf']) {
    seen += c.durationHistogram[bound] ?? 0;
    if (seen >= q * total) return bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound);
  }
  return Number.POSITIVE_INFINITY;
}

/** Deletes every counter of the run (a fresh run on the same prefix). */
export async function resetCounters(redis: Redis, prefix: string): Promise<void> {
  await redis.unlink(...Object.values(runKeys(prefix)));
}
