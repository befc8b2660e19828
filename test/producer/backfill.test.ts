import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/core/config.js';
import { backfillKeys } from '../../src/producer/backfill/backfill-keys.js';
import { loadPlan } from '../../src/producer/backfill/backfill-plan.js';
import { readBackfillReport } from '../../src/producer/backfill/backfill-report.js';
import { decide } from '../../src/producer/backfill/decide.js';
import { releaseToQueue } from '../../src/producer/backfill/release.js';
import { openScanQueue, type ScanQueue } from '../../src/workers/queue.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../support/redis.js';
import { testConfig } from '../workers/helpers.js';
import { drainQueue, plan, row, writeRow } from './backfill-support.js';

describe('back-fill: decisions in Redis, release under a lock (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let config: Config;
  let queue: ScanQueue;
  const extra: Redis[] = [];

  beforeEach(() => {
    prefix = uniquePrefix('bf');
    config = testConfig({ queuePrefix: prefix });
    redis = testRedis();
    queue = openScanQueue(config, redis);
  });

  afterEach(async () => {
    await queue.close();
    await deleteKeysWithPrefix(redis, prefix);
    for (const r of extra.splice(0)) r.disconnect();
    redis.disconnect();
  });

  function connection(): Redis {
    const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    extra.push(r);
    return r;
  }

  it('waits for observed rows, then releases what the yield says, logs it, and says once when the reserve is spent', async () => {
    await loadPlan(redis, prefix, 'run-1', [plan('a', 10, 8)]);
    const first = await decide(redis, prefix, 'a', 4);
    expect(first).toMatchObject({ added: 0, basis: 'none', yield: null, queued: 10 });
    // The 10 primary rows written, 5 effective: yield 0.5 on 10 rows, optimistic bound y⁺ =
    // (0.5 + 4/20 + 2·√(0.025 + 0.01)) / 1.4 ≈ 0.767; nothing queued: ⌈5 / 0.767⌉ = 7 rows.
    for (let i = 1; i <= 10; i++) await writeRow(redis, prefix, row('a', 'p', i), i % 2 === 0);
    const second = await decide(redis, prefix, 'a', 4);
    expect(second).toMatchObject({
      added: 7,
      yield: 0.5,
      basis: 'stratum',
      effective: 5,
      queued: 0,
      releasedAfter: 7,
    });
    // Those 7 written, 3 effective: 8 of 17, y⁺ ≈ 0.694: ⌈2 / 0.694⌉ = 3, but 1 reserve row is left.
    for (let i = 1; i <= 7; i++) await writeRow(redis, prefix, row('a', 'r', i), i <= 3);
    expect(await decide(redis, prefix, 'a', 4)).toMatchObject({
      added: 1,
      effective: 8,
      queued: 0,
      releasedAfter: 8,
    });
    const fourth = await decide(redis, prefix, 'a', 4);
    expect(fourth).toMatchObject({ added: 0, exhausted: true });
    expect((await decide(redis, prefix, 'a', 4)).exhausted).toBe(false);
    const report = await readBackfillReport(redis, prefix);
    expect(report!.strata.a).toMatchObject({
      goal: 10,
      effective: 8,
      written: 17,
      reserve: 8,
      released: 8,
      gap: 2,
    });
    expect(report!.strata.a!.exhausted_at).not.toBeNull();
    expect(report!.decisions.map((d) => [d.stratum, d.added, d.yield, d.exhausted])).toEqual([
      ['a', 7, 0.5, false],
      ['a', 1, 0.471, false],
      ['a', 0, 0.471, true],
    ]);
  });

  it("uses the run's pooled yield for a stratum with too few rows, and releases nothing for a stratum on course", async () => {
    await loadPlan(redis, prefix, 'run-1', [plan('big', 40, 10), plan('small', 10, 10)]);
    for (let i = 1; i <= 40; i++) await writeRow(redis, prefix, row('big', 'p', i), i % 4 !== 0);
    await writeRow(redis, prefix, row('small', 'p', 1), true);
    // big: 30/40 effective (y⁺ ≈ 0.860), nothing queued: ⌈10 / 0.860⌉ = 12 → the whole reserve of 10.
    expect(await decide(redis, prefix, 'big', 20)).toMatchObject({
      added: 10,
      basis: 'stratum',
      yield: 0.75,
    });
    // small: 1 row of its own; the pooled yield 31/41 (y⁺ ≈ 0.863): 1 + 0.863 × 9 = 8.8 < 10 → ⌈1.23 / 0.863⌉ = 2.
    expect(await decide(redis, prefix, 'small', 20)).toMatchObject({ added: 2, basis: 'pooled' });
    await loadPlan(redis, prefix, 'run-1', [plan('big', 40, 10), plan('small', 10, 10)]);
    // Loading the same plan again changes nothing; another plan for the same run is refused.
    expect((await readBackfillReport(redis, prefix))!.strata.small!.released).toBe(2);
    await expect(loadPlan(redis, prefix, 'run-1', [plan('big', 41, 10)])).rejects.toThrow(/another manifest/);
  });

  it('decides in one place: eight producers deciding at once release what one would', async () => {
    await loadPlan(redis, prefix, 'run-1', [plan('a', 20, 100)]);
    for (let i = 1; i <= 20; i++) await writeRow(redis, prefix, row('a', 'p', i), i % 2 === 0);
    const decisions = await Promise.all(
      Array.from({ length: 8 }, () => decide(connection(), prefix, 'a', 10)),
    );
    // One producer: 10 effective of 20 (y⁺ ≈ 0.704), nothing queued → ⌈10 / 0.704⌉ = 15. The
    // others then see 15 queued rows expected to bring the rest: nothing more.
    expect(decisions.reduce((s, d) => s + d.added, 0)).toBe(15);
    expect(decisions.filter((d) => d.added > 0)).toHaveLength(1);
    expect(await redis.hget(backfillKeys(prefix).released, 'a')).toBe('15');
  });

  it('two producers releasing at once queue each released row exactly once', async () => {
    await loadPlan(redis, prefix, 'run-1', [plan('a', 10, 60)]);
    await redis.hset(backfillKeys(prefix).released, 'a', 60);
    const other = connection();
    const otherQueue = openScanQueue(config, other);
    const outcomes = await Promise.all([
      releaseToQueue(config, redis, queue, ['a'], { chunk: 7 }),
      releaseToQueue(config, other, otherQueue, ['a'], { chunk: 7 }),
    ]);
    await otherQueue.close();
    // Whoever lost the lock added nothing; if it came after, it found everything queued.
    expect(outcomes.reduce((s, o) => s + o.added, 0)).toBe(60);
    expect(await queue.count()).toBe(60);
    const rerun = await releaseToQueue(config, redis, queue, ['a']);
    expect(rerun).toMatchObject({ locked: true, added: 0, pending: [] });
  });

  it('a producer that dies after adding rows but before counting them: the next pass adds the rest, none twice', async () => {
    await loadPlan(redis, prefix, 'run-1', [plan('a', 10, 40)]);
    await redis.hset(backfillKeys(prefix).released, 'a', 40);
    let chunks = 0;
    await expect(
      releaseToQueue(config, redis, queue, ['a'], {
        chunk: 10,
        afterAdd: async () => {
          if (++chunks === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    // Rows 1–20 are on the queue, only 10 counted. They are scanned and written meanwhile.
    const seen = new Map<string, number>();
    expect(await drainQueue(redis, prefix, queue, () => true, seen)).toBe(20);
    const next = await releaseToQueue(config, redis, queue, ['a'], { chunk: 10 });
    expect(next).toMatchObject({ added: 20, alreadyThere: 10, pending: [] });
    await drainQueue(redis, prefix, queue, () => true, seen);
    expect(seen.size).toBe(40);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it("a killed producer's lock runs out and another producer takes over", async () => {
    await loadPlan(redis, prefix, 'run-1', [plan('a', 10, 5)]);
    await redis.hset(backfillKeys(prefix).released, 'a', 5);
    await redis.set(backfillKeys(prefix).lock, 'dead-producer', 'PX', 300);
    expect(await releaseToQueue(config, redis, queue, ['a'])).toMatchObject({
      locked: false,
      pending: ['a'],
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(await releaseToQueue(config, redis, queue, ['a'])).toMatchObject({ locked: true, added: 5 });
  });
});

describe('the result writer counts effective rows per stratum (real Redis, real files)', () => {
  it('re-applies them from the result files when it starts (after a kill -9 or a wiped Redis), once', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { ResultWriter } = await import('../../src/workers/writer/result-writer.js');
    const { silentLogger } = await import('../../src/core/logger.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bf-writer-'));
    const prefix = uniquePrefix('bfw');
    const redis = testRedis();
    const queue = openScanQueue(testConfig({ queuePrefix: prefix }), redis);
    const ping = (name: string, stratum: string, status: string) =>
      JSON.stringify({
        repo_full_name: name,
        selection_stratum: stratum,
        scan_status: status,
        scan_duration_ms: 1,
      });
    writeFileSync(
      path.join(dir, 'scan_results.jsonl'),
      `${[
        ping('o/a', 'x', 'success'),
        ping('o/b', 'x', 'empty'),
        ping('o/c', 'y', 'partial'),
        ping('o/d', 'y', 'failed'),
        // A hostile manifest's stratum names are not counted (they would collide with '*|…').
        ping('o/e', '*', 'success'),
        ping('o/f', 'x|written', 'success'),
      ].join('\n')}\n`,
    );
    try {
      for (let open = 0; open < 2; open++) {
        const writer = await ResultWriter.open({
          dataDir: dir,
          prefix,
          redis,
          queue,
          logger: silentLogger,
          secrets: [],
          lockTtlMs: 3000,
        });
        await writer.close();
      }
      expect(await redis.hgetall(backfillKeys(prefix).outcome)).toEqual({
        'x|written': '2',
        'x|effective': '1',
        'y|written': '2',
        'y|effective': '1',
        '*|written': '4',
        '*|effective': '2',
      });
    } finally {
      await queue.close();
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
