import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import type { RunningDashboard } from '../../src/dashboard/dashboard.js';
import { REQUEST_DEADLINE_MS } from '../../src/dashboard/server.js';
import { type PrivateRedis, startRedisServer } from '../support/redis-server.js';
import { tempDir } from '../support/tmp.js';
import { facts, record, seedMeta, startTestDashboard } from './helpers.js';

/**
 * A frozen Redis (SIGSTOP: the socket stays open, nothing answers) must not hang any route:
 * bull-board's API included, every request is answered within the deadline plus slack.
 */
const prefix = 'frozen';
const tmp = tempDir('frozen-redis');
const BOUND_MS = REQUEST_DEADLINE_MS + 2500;
let redis: PrivateRedis;
let board: RunningDashboard;
let frozen = false;

const ROUTES = [
  '/',
  '/assets/stats.js',
  '/healthz',
  '/api/stats',
  '/metrics',
  '/audit/report',
  '/queues/',
  '/queues/api/queues',
  `/queues/api/queues?activeQueue=${SCAN_QUEUE_NAME}&status=waiting&page=1`,
  `/queues/api/queues/${SCAN_QUEUE_NAME}/job-1`,
  `/queues/api/queues/${SCAN_QUEUE_NAME}/job-1/logs`,
  '/queues/api/redis/stats',
];

async function timed(route: string): Promise<{ route: string; status: number | string; ms: number }> {
  const started = Date.now();
  try {
    const res = await fetch(`${board.url}${route}`, { signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return { route, status: res.status, ms: Date.now() - started };
  } catch (err) {
    return { route, status: (err as Error).name, ms: Date.now() - started };
  }
}

beforeAll(async () => {
  redis = await startRedisServer({ dir: path.join(tmp.dir, 'redis') });
  const client = redis.client();
  await seedMeta(client, prefix, { run_id: 'run-frozen', manifest_count: 3 });
  await record(client, prefix, [facts('o/a'), facts('o/b')]);
  const queue = new Queue(SCAN_QUEUE_NAME, { connection: client, prefix });
  await queue.add('scan', { repo_full_name: 'o/c' }, { jobId: 'job-1' });
  await queue.close();
  client.disconnect();
  writeFileSync(path.join(tmp.dir, 'scan_results.jsonl'), '');
  board = await startTestDashboard({
    config: loadConfig({ REDIS_URL: redis.url, STRATUM_QUEUE_PREFIX: prefix }),
    dataDir: tmp.dir,
    readOnly: true,
  });
}, 60_000);

afterAll(async () => {
  if (frozen && redis.pid) process.kill(redis.pid, 'SIGCONT');
  await board?.close();
  await redis?.stop('SIGKILL');
  tmp.cleanup();
});

describe('the dashboard under a frozen Redis', { timeout: 120_000 }, () => {
  it('answers every route at once while Redis answers', async () => {
    for (const r of await Promise.all(ROUTES.map(timed))) expect(r.ms, r.route).toBeLessThan(BOUND_MS);
    const stats = (await (await fetch(`${board.url}/api/stats`)).json()) as { sourceNote: string };
    expect(stats.sourceNote).toBe(`live counters from Redis at 127.0.0.1:${redis.port}`);
  });

  it('answers every route, bull-board API included, within the bound once Redis is frozen', async () => {
    if (!redis.pid) throw new Error('redis-server has no pid');
    process.kill(redis.pid, 'SIGSTOP');
    frozen = true;
    await sleep(1100); // past the stats cache
    const results = await Promise.all([
      ...ROUTES.map(timed),
      // Many at once: a pile of pending Redis calls must not slow the later ones down.
      ...Array.from({ length: 20 }, () => timed('/queues/api/queues')),
    ]);
    for (const r of results) {
      expect(r.ms, `${r.route} took ${r.ms} ms`).toBeLessThan(BOUND_MS);
      expect(typeof r.status, `${r.route}: ${r.status}`).toBe('number');
    }
    // The static page and its assets need no Redis; bull-board's API says it could not answer.
    expect(results.find((r) => r.route === '/')?.status).toBe(200);
    expect(results.find((r) => r.route === '/queues/api/queues')?.status).toBe(503);
    expect(results.find((r) => r.route === '/healthz')?.status).toBe(503);
    const stats = (await (
      await fetch(`${board.url}/api/stats`, { signal: AbortSignal.timeout(15_000) })
    ).json()) as {
      source: string;
      sourceNote: string;
    };
    // Falls back to the files; says where Redis is (host:port), nothing of the file system.
    expect(stats.source).toBe('jsonl');
    expect(stats.sourceNote).toContain(`127.0.0.1:${redis.port}`);
    expect(stats.sourceNote).not.toContain(tmp.dir);
  });
});
