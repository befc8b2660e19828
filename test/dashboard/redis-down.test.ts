import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createRedis, SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import type { RunningDashboard } from '../../src/dashboard/dashboard.js';
import { runMonitor } from '../../src/dashboard/monitor.js';
import { createSnapshotSource, redisHost, waitReady } from '../../src/dashboard/stats-source.js';
import { freePort } from '../support/net.js';
import { tempDir } from '../support/tmp.js';
import { facts, record, seedMeta, startTestDashboard } from './helpers.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

/** The dashboard keeps answering when its Redis dies (own redis-server on a free port) and recovers. */
const prefix = 'down';
const dir = tempDir('redis-down');
let port: number;
let server: ChildProcess | undefined;
let board: RunningDashboard;

async function startRedis(): Promise<void> {
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      await sleep(50);
    }
  }
  throw new Error('redis-server did not start');
}

async function stats(): Promise<Record<string, unknown>> {
  return (await fetch(`${board.url}/api/stats`)).json() as Promise<Record<string, unknown>>;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  const redis = new Redis(port, '127.0.0.1');
  await seedMeta(redis, prefix, { run_id: 'r', manifest_count: 10 });
  await record(
    redis,
    prefix,
    ['a', 'b', 'c', 'd', 'e'].map((r) => facts(`o/${r}`)),
  );
  redis.disconnect();
  const ping = (repo: string) =>
    JSON.stringify({
      repo_full_name: repo,
      scan_status: 'success',
      scan_duration_ms: 10,
      failure_reason: null,
      frameworks: [],
      risk_score: 5,
      timestamp: new Date().toISOString(),
    });
  writeFileSync(path.join(dir.dir, 'scan_results.jsonl'), `${ping('o/a')}\n${ping('o/b')}\n`);
  board = await startTestDashboard({
    config: loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, STRATUM_QUEUE_PREFIX: prefix }),
    dataDir: dir.dir,
  });
});

afterAll(async () => {
  await board?.close();
  server?.kill('SIGKILL');
  dir.cleanup();
});

describe('dashboard when Redis goes away', () => {
  it('falls back to the result files, reports unhealthy, and recovers', async () => {
    expect(await stats()).toMatchObject({ source: 'redis', results: 5, manifestCount: 10 });
    expect((await fetch(`${board.url}/healthz`)).status).toBe(200);

    server!.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    await sleep(1100); // past the snapshot cache
    const down = await stats();
    expect(down).toMatchObject({ source: 'jsonl', results: 2, queue: null });
    expect(down.sourceNote).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${port} is not reachable`));
    // host:port of Redis and the file names, nothing of the file system.
    expect(down.sourceNote).toContain('scan_results.jsonl');
    expect(down.sourceNote).not.toContain(dir.dir);
    expect(down.sourceNote).not.toContain('/tmp');
    const health = await fetch(`${board.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unhealthy', redis: 'unreachable' });
    const metrics = parsePrometheusText(await (await fetch(`${board.url}/metrics`)).text());
    expect(sampleValue(metrics, 'stratum_counters_source_redis')).toBe(0);
    expect(sampleValue(metrics, 'stratum_scan_results', { status: 'success' })).toBe(2);
    expect(sampleValue(metrics, 'stratum_queue_jobs', { state: 'waiting' })).toBeUndefined();

    await startRedis();
    let back: Record<string, unknown> = {};
    for (let i = 0; i < 40 && back.source !== 'redis'; i++) {
      await sleep(250);
      back = await stats();
    }
    // A fresh Redis without persistence: live again, with the counters it has (none).
    expect(back).toMatchObject({ source: 'redis', results: 0 });
    expect((await fetch(`${board.url}/healthz`)).status).toBe(200);
  });
});

describe('live monitor when Redis goes away', () => {
  it('switches to the files while Redis is down and back to live numbers after', async () => {
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, STRATUM_QUEUE_PREFIX: prefix });
    const redis = createRedis(config, { enableOfflineQueue: false });
    redis.on('error', () => undefined);
    const queue = new Queue(SCAN_QUEUE_NAME, { connection: redis, prefix });
    queue.on('error', () => undefined);
    await waitReady(redis, 3000);
    const source = createSnapshotSource({
      live: { redis, queue, prefix, displayHost: redisHost(config) },
      dataDir: dir.dir,
    });
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += String(d);
    });
    const stop = new AbortController();
    const running = runMonitor({
      source,
      once: false,
      intervalSeconds: 1,
      out,
      secrets: [],
      signal: stop.signal,
    });
    const waitFor = async (needle: string, from: number) => {
      for (let i = 0; i < 60 && !text.slice(from).includes(needle); i++) await sleep(100);
      expect(text.slice(from)).toContain(needle);
      return text.length;
    };
    try {
      let at = await waitFor('Source: live counters from Redis', 0);
      server!.kill('SIGKILL');
      await new Promise((r) => server!.once('exit', r));
      const killedAt = at;
      at = await waitFor(`Source: FALLBACK: Redis at 127.0.0.1:${port} is not reachable`, at);
      expect(text.slice(killedAt)).toContain('Progress  2 repos (manifest size unknown)');
      await startRedis();
      await waitFor('Source: live counters from Redis', at);
    } finally {
      stop.abort();
      await running;
      await queue.close();
      redis.disconnect();
    }
  });
});
