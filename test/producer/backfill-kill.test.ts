import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeys } from '../../src/core/run-counters.js';
import { readBackfillReport } from '../../src/producer/backfill/backfill-report.js';
import type { ScanJobData } from '../../src/workers/job-data.js';
import { openScanQueue, type ScanQueue } from '../../src/workers/queue.js';
import { CLI } from '../support/e2e-population.js';
import { manifestRow } from '../support/git-repos.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { testConfig, testEnv } from '../workers/helpers.js';
import { drainQueue } from './backfill-support.js';

/**
 * The real `enqueue` producer (back-fill on) killed with SIGKILL again and again while this
 * test scans its jobs (written, then removed, as the result writer does): after a last
 * restart every stratum reaches its goal, or has used its whole reserve, and no repository
 * was queued twice.
 */
const STRATA = {
  alpha: { goal: 30, reserve: 30 },
  beta: { goal: 20, reserve: 20 },
  gamma: { goal: 10, reserve: 3 },
};
/** alpha: 1 in 2 rows effective; beta: 3 in 4; gamma: 1 in 5 (its reserve cannot close the gap). */
function effective(data: ScanJobData): boolean {
  const n = Number(/(\d+)$/.exec(data.repo_full_name)?.[1] ?? 0);
  if (data.selection_stratum === 'alpha') return n % 2 === 0;
  if (data.selection_stratum === 'beta') return n % 4 !== 0;
  return n % 5 === 0;
}

describe('back-fill survives kill -9 of the producer (real CLI, real Redis)', { timeout: 120_000 }, () => {
  const tmp = tempDir('backfill-kill');
  const prefix = uniquePrefix('bfkill');
  let redis: Redis;
  let queue: ScanQueue;
  const manifest = () => path.join(tmp.dir, 'repo_manifest.jsonl');

  beforeAll(() => {
    redis = testRedis();
    queue = openScanQueue(testConfig({ queuePrefix: prefix }), redis);
    const rows: string[] = [];
    let n = 0;
    for (const [stratum, { goal, reserve }] of Object.entries(STRATA)) {
      const base = { selection_stratum: stratum, matched_strata: [stratum] };
      for (let i = 0; i < goal; i++)
        rows.push(
          JSON.stringify(
            manifestRow(`org/${stratum}-p${++n}`, `https://github.com/org/${stratum}-p${n}`, base),
          ),
        );
      for (let i = 0; i < reserve; i++)
        rows.push(
          JSON.stringify(
            manifestRow(`org/${stratum}-r${++n}`, `https://github.com/org/${stratum}-r${n}`, {
              ...base,
              reserve: true,
              reserve_rank: i + 1,
            }),
          ),
        );
    }
    writeFileSync(manifest(), `${rows.join('\n')}\n`);
  });

  afterAll(async () => {
    await queue.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    tmp.cleanup();
  });

  function producer(): { child: ChildProcess; exit: Promise<number | null>; out: () => string } {
    const env = testEnv({
      STRATUM_QUEUE_PREFIX: prefix,
      STRATUM_DATA_DIR: path.join(tmp.dir, 'data'),
      STRATUM_BACKFILL_POLL_MS: '30',
      STRATUM_BACKFILL_MIN_OBSERVED: '4',
      STRATUM_LOCK_DURATION_MS: '1000',
    });
    const child = spawn(process.execPath, [CLI, 'enqueue', '--resume', '--manifest', manifest()], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    return {
      child,
      exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
      out: () => out,
    };
  }

  it('every stratum reaches its goal or spends its reserve; no repository is queued twice', async () => {
    const seen = new Map<string, number>();
    const released = async () =>
      Object.values(await redis.hgetall(`${prefix}:backfill:released`)).reduce((s, v) => s + Number(v), 0);
    // Three producers killed at different points of the back-fill: right after it started
    // releasing rows, after a few more, after more again.
    for (const after of [1, 8, 20]) {
      const p = producer();
      while ((await released()) < after && p.child.exitCode === null) {
        await drainQueue(redis, prefix, queue, effective, seen);
        await new Promise((r) => setTimeout(r, 5));
      }
      p.child.kill('SIGKILL');
      // Killed mid-run (a producer that had finished would have exited 0).
      expect(await p.exit, p.out()).toBeNull();
      await drainQueue(redis, prefix, queue, effective, seen);
    }
    const last = producer();
    while (last.child.exitCode === null) {
      await drainQueue(redis, prefix, queue, effective, seen);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await last.exit, last.out()).toBe(0);
    expect([...seen.entries()].filter(([, n]) => n > 1)).toEqual([]);
    const report = (await readBackfillReport(redis, prefix))!;
    expect(report.strata.alpha!.effective).toBeGreaterThanOrEqual(30);
    expect(report.strata.beta!.effective).toBeGreaterThanOrEqual(20);
    // gamma (rows 101–113): 105 and 110 effective, none of the reserve rows 111–113: spent, 8 short.
    expect(report.strata.gamma).toMatchObject({ released: 3, reserve: 3, effective: 2, gap: 8 });
    expect(report.decisions.some((d) => d.stratum === 'gamma' && d.exhausted)).toBe(true);
    // Every released row was scanned; no reserve row beyond the released ones.
    for (const [stratum, p] of Object.entries(report.strata)) {
      const reserveSeen = [...seen.keys()].filter((n) => n.startsWith(`org/${stratum}-r`)).length;
      expect(reserveSeen, stratum).toBe(p.released);
    }
    expect(await redis.hget(runKeys(prefix).meta, 'enqueue_finished')).toBe('1');
    expect(last.out()).toMatch(/back-fill finished/);
  });
});
