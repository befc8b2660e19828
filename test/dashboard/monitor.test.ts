import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import type { ResultFacts } from '../../src/core/run-counters.js';
import { registerDashboardCommands } from '../../src/dashboard/commands.js';
import { freePort } from '../support/net.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { facts, record, seedMeta } from './helpers.js';

/** 15 s into a minute, so the throughput window (5 minute buckets) spans exactly 4.25 min. */
const NOW = Date.UTC(2026, 10, 25, 10, 0, 15);
const ago = (s: number) => NOW - s * 1000;

const ROWS: ResultFacts[] = [
  facts('a/1', { frameworks: ['LangChain', 'CrewAI'], riskScore: 10, durationMs: 800, finishedAt: ago(240) }),
  facts('a/2', { frameworks: ['LangChain'], riskScore: 35, durationMs: 1500, finishedAt: ago(180) }),
  facts('a/3', {
    frameworks: ['LangGraph', 'LangChain'],
    riskScore: 55,
    durationMs: 2000,
    finishedAt: ago(120),
  }),
  facts('a/4', {
    status: 'partial',
    // What the writer records for a partial row whose ping names no failure_reason.
    failureReason: 'unspecified',
    frameworks: ['CrewAI'],
    riskScore: 90,
    durationMs: 4000,
    finishedAt: ago(60),
  }),
  facts('a/5', {
    status: 'partial',
    // What the writer records for a partial row whose ping names no failure_reason.
    failureReason: 'unspecified',
    frameworks: ['AutoGen'],
    riskScore: 65,
    durationMs: 9000,
    finishedAt: ago(60),
  }),
  facts('a/6', { status: 'empty', frameworks: [], riskScore: null, durationMs: 300, finishedAt: ago(600) }),
  facts('a/7', {
    status: 'failed',
    failureReason: 'clone_timeout',
    frameworks: [],
    riskScore: null,
    durationMs: 300_000,
    errorDetail: 'git clone timed out after 300 s',
    finishedAt: ago(30),
  }),
  facts('a/8', {
    status: 'failed',
    failureReason: 'clone_404',
    frameworks: [],
    riskScore: null,
    durationMs: 200,
    errorDetail: 'repository not found',
    finishedAt: ago(480),
  }),
  facts('a/9', {
    status: 'quarantined',
    frameworks: ['LlamaIndex'],
    riskScore: null,
    durationMs: 700,
    errorDetail: '/risk_score: must be <= 100',
    finishedAt: ago(20),
  }),
  facts('a/10', { frameworks: ['LangChain'], riskScore: 20, durationMs: 1200, finishedAt: ago(0) }),
];

/** Every line the two sources must agree on, written out by hand from ROWS. */
const SHARED_LINES = [
  '  success             4   40.0%  ████████████░░░░░░░░░░░░░░░░░░',
  '  partial             2   20.0%  ██████░░░░░░░░░░░░░░░░░░░░░░░░',
  '  failed              2   20.0%  ██████░░░░░░░░░░░░░░░░░░░░░░░░',
  '  empty               1   10.0%  ███░░░░░░░░░░░░░░░░░░░░░░░░░░░',
  '  quarantined         1   10.0%  ███░░░░░░░░░░░░░░░░░░░░░░░░░░░',
  'Risk score (6 scored)',
  '  0-20                2   33.3%  ██████████░░░░░░░░░░░░░░░░░░░░',
  '  21-40               1   16.7%  █████░░░░░░░░░░░░░░░░░░░░░░░░░',
  '  81-100              1   16.7%  █████░░░░░░░░░░░░░░░░░░░░░░░░░',
  // Shares over the 6 rows with scan data (success + partial), as in the audit's frameworks section.
  'Top frameworks (5 of 5, share of the 6 repos with scan data: success + partial)',
  '  LangChain           4   66.7%  ████████████████████░░░░░░░░░░',
  '  CrewAI              2   33.3%  ██████████░░░░░░░░░░░░░░░░░░░░',
  '  AutoGen             1   16.7%  █████░░░░░░░░░░░░░░░░░░░░░░░░░',
  // avg = 319,700 ms / 10; p95 falls in the 300 s bucket (9.5th of 10 durations).
  'Scan time   avg 32.0 s   p95 ≤ 5.0 min   (scanner only, per repo)',
  // 8 rows in the last 5 minute buckets, which span 4.25 min → 1.88/min; 30 left → 956 s.
  'Throughput  1.9/min over the last 5 min   ETA 15m 56s   last 15 min ▁▁▁▁▃▁▃▁▁▁▃▃▃█▃',
  // Every partial row counted under a reason, "unspecified" when its ping gives none.
  'Failures    unspecified 2   clone_404 1   clone_timeout 1',
  'Last error  a/9  quarantined at 2026-11-25T09:59:55.000Z: /risk_score: must be <= 100',
];

function program(): Command {
  const p = new Command('stratum-pipeline').option('--data-dir <dir>').exitOverride();
  registerDashboardCommands(p);
  return p;
}

async function monitorOnce(dataDir: string): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program().parseAsync(['--data-dir', dataDir, 'monitor', '--once'], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

const redis = testRedis();
const prefix = uniquePrefix('monitor');
const dir = tempDir('monitor');

beforeAll(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  process.env.STRATUM_QUEUE_PREFIX = prefix;
  process.env.STRATUM_LOG_LEVEL = 'silent';
});

afterEach(() => {
  delete process.env.REDIS_URL;
});

afterAll(async () => {
  vi.useRealTimers();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  dir.cleanup();
});

describe('monitor --once', () => {
  it('prints the run from the Redis counters and the queue state', async () => {
    process.env.REDIS_URL = TEST_REDIS_URL;
    await seedMeta(redis, prefix, {
      run_id: 'run-7',
      started_at: new Date(ago(1200)).toISOString(),
      manifest_count: 40,
      enqueued: 40,
      enqueue_finished: 1,
      retries: 3,
      rate_limit_hits: 0,
    });
    await record(redis, prefix, ROWS);
    const queue = new Queue(SCAN_QUEUE_NAME, { connection: testRedis(), prefix });
    await queue.addBulk([1, 2, 3].map((i) => ({ name: 'scan', data: { i }, opts: { jobId: `j${i}` } })));
    await queue.add('scan', { i: 4 }, { jobId: 'j4', delay: 60_000 });
    await queue.close();

    const out = await monitorOnce(dir.dir);
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      'stratum-pipeline monitor · run run-7, started 2026-11-25T09:40:15.000Z · 2026-11-25T10:00:15.000Z',
    );
    expect(lines[1]).toBe('Source: live counters from Redis at 127.0.0.1:6379');
    for (const line of SHARED_LINES) expect(lines).toContain(line);
    expect(lines).toContain(
      'Progress  10 / 40 repos  25.0%  ████████░░░░░░░░░░░░░░░░░░░░░░  · enqueued 40 (all)',
    );
    expect(lines).toContain('            retries 3   rate-limit hits 0   rows replaced 0');
    expect(lines).toContain('Queue       waiting 3   active 0   delayed 1   failed 0   workers 0');
  });

  it("shows each stratum's effective rows against its target and the reserve it used (back-fill runs)", async () => {
    process.env.REDIS_URL = TEST_REDIS_URL;
    const { loadPlan } = await import('../../src/producer/backfill/backfill-plan.js');
    const { recordStratumOutcomes } = await import('../../src/producer/backfill/stratum-outcomes.js');
    const { backfillKeys } = await import('../../src/producer/backfill/backfill-keys.js');
    const job = (name: string, stratum: string) => ({
      repo_full_name: name,
      repo_url: `https://github.com/${name}`,
      repo_hash: 'h',
      selection_stratum: stratum,
      github_size_kb: 1,
    });
    await loadPlan(redis, prefix, 'run-7', [
      { stratum: 'crewai', goal: 4, reserve: [job('r/1', 'crewai'), job('r/2', 'crewai')] },
      { stratum: 'langgraph\u001b[2J', goal: 2, reserve: [] },
    ]);
    await redis.hset(backfillKeys(prefix).released, 'crewai', 2);
    await recordStratumOutcomes(redis, prefix, [
      { repoFullName: 'p/1', stratum: 'crewai', effective: true },
      { repoFullName: 'p/2', stratum: 'crewai', effective: false },
      { repoFullName: 'p/3', stratum: 'langgraph\u001b[2J', effective: true },
      { repoFullName: 'p/4', stratum: 'langgraph\u001b[2J', effective: true },
    ]);
    try {
      const lines = (await monitorOnce(dir.dir)).split('\n');
      expect(lines).toContain('Strata (effective rows / target, reserve used)');
      expect(lines).toContain(
        '  crewai              1 / 4        25.0%  ████████░░░░░░░░░░░░░░░░░░░░░░  reserve 2/2  gap 3',
      );
      // A stratum name cannot drive the terminal (and, not a strata-file name, is not counted).
      expect(lines).toContain(
        '  langgraph?[2J       0 / 2         0.0%  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  reserve 0/0  gap 2',
      );
    } finally {
      await redis.unlink(
        ...Object.values(backfillKeys(prefix)).filter((k): k is string => typeof k === 'string'),
      );
    }
  });

  it('falls back to the result files when Redis is not reachable, and says so', async () => {
    const port = await freePort();
    process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
    const pingOf = (f: ResultFacts) => ({
      repo_full_name: f.repoFullName,
      scan_status: f.status,
      scan_duration_ms: f.durationMs,
      failure_reason: f.failureReason === 'unspecified' ? null : f.failureReason,
      ...(f.errorDetail ? { failure_detail: f.errorDetail } : {}),
      frameworks: f.frameworks,
      ...(f.riskScore === null ? {} : { risk_score: f.riskScore }),
      timestamp: new Date(f.finishedAt).toISOString(),
    });
    const pings = ROWS.filter((r) => r.status !== 'quarantined').map(pingOf);
    writeFileSync(
      path.join(dir.dir, 'scan_results.jsonl'),
      pings.map((p) => JSON.stringify(p)).join('\n') + '\n{"repo_full_name": "torn/li\n',
    );
    const q = ROWS.find((r) => r.status === 'quarantined')!;
    writeFileSync(
      path.join(dir.dir, 'quarantine.jsonl'),
      `${JSON.stringify({
        repo_full_name: q.repoFullName,
        ping: { ...pingOf(q), scan_status: 'success', risk_score: 140 },
        validation_errors: [{ pointer: '/risk_score', message: 'must be <= 100' }],
        quarantined_at: new Date(q.finishedAt).toISOString(),
        job_id: 'scan__a__9',
        attempts: 1,
      })}\n`,
    );
    writeFileSync(
      path.join(dir.dir, 'repo_manifest.jsonl'),
      Array.from({ length: 40 }, (_, i) => JSON.stringify({ repo_full_name: `a/${i + 1}` })).join('\n') +
        '\n',
    );

    const out = await monitorOnce(dir.dir);
    const lines = out.split('\n');
    expect(lines[1]).toBe(
      `Source: FALLBACK: Redis at 127.0.0.1:${port} is not reachable (Connection is closed.); ` +
        'showing scan_results.jsonl + quarantine.jsonl (queue state unknown)',
    );
    expect(lines[2]).toBe('  (1 unreadable lines skipped)');
    expect(lines).toContain('Progress  10 / 40 repos  25.0%  ████████░░░░░░░░░░░░░░░░░░░░░░');
    for (const line of SHARED_LINES) expect(lines).toContain(line);
    expect(lines).toContain('Queue       unknown (Redis not reachable)');
  });
});
