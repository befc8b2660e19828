import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import { drainMarkerKey } from '../../src/dashboard/audit-on-drain.js';
import type { AuditRunner } from '../../src/dashboard/audit-runner.js';
import { type RunningDashboard, startDashboard } from '../../src/dashboard/dashboard.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { facts, record, seedMeta } from './helpers.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const REDIS_PASSWORD = 's3cret-redis-pw';
const TOKEN = 'tok-9f8e7d6c5b4a39281706';
const USER = 'ops';
const PASSWORD = 'pw-correct-horse-battery';
const SECRETS = [REDIS_PASSWORD, TOKEN, PASSWORD];

const redis = testRedis();
const prefix = uniquePrefix('dash');
const dir = tempDir('dash');
const neverAudit: AuditRunner = async () => {
  throw new Error('not in this test');
};

function configFor(env: Record<string, string>) {
  return loadConfig({
    // The machine's Redis has no password: ioredis warns and connects, which lets us prove that the
    // password in the URL never reaches a page.
    REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379`,
    STRATUM_QUEUE_PREFIX: prefix,
    ...env,
  });
}

async function start(env: Record<string, string>, over: { host?: string; readOnly?: boolean } = {}) {
  const config = configFor(env);
  return startDashboard({
    config,
    dataDir: dir.dir,
    host: over.host ?? '127.0.0.1',
    port: 0,
    readOnly: over.readOnly ?? false,
    runAudit: neverAudit,
    drainCheckCron: '0 0 1 1 *',
    refreshSeconds: 5,
    secrets: [REDIS_PASSWORD, ...Object.values(env)],
    logger: silentLogger,
  });
}

const bearer = { authorization: `Bearer ${TOKEN}` };
const basic = (user: string, pass: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

let board: RunningDashboard;
let queue: Queue;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await seedMeta(redis, prefix, {
    run_id: 'run-http',
    manifest_count: 20,
    enqueued: 20,
    enqueue_finished: 0,
  });
  await record(redis, prefix, [
    facts('x/1', { frameworks: ['CrewAI'], riskScore: 12, durationMs: 90 }),
    facts('x/2', { status: 'partial', frameworks: ['CrewAI', 'AutoGen'], riskScore: 77, durationMs: 4200 }),
    facts('x/3', {
      status: 'failed',
      failureReason: 'clone_auth',
      frameworks: [],
      riskScore: null,
      durationMs: 650,
      // A detail that carries a secret (a hostile repo can echo anything): it must be scrubbed.
      errorDetail: `fatal: could not read from redis://:${REDIS_PASSWORD}@10.0.0.5 token ${TOKEN}`,
    }),
  ]);
  queue = new Queue(SCAN_QUEUE_NAME, { connection: testRedis(), prefix });
  // One job that fails, processed by a real worker.
  await queue.add('scan', { repo: 'x/doomed' }, { jobId: 'doomed' });
  const failing = new Worker(
    SCAN_QUEUE_NAME,
    async () => {
      throw new Error('scanner crashed');
    },
    { connection: testRedis(), prefix },
  );
  await new Promise<void>((resolve) => failing.once('failed', () => resolve()));
  await failing.close();
  await queue.addBulk(
    ['x/4', 'x/5', 'x/6'].map((r, i) => ({ name: 'scan', data: { r }, opts: { jobId: `w${i}` } })),
  );
  // A connected, idle worker (not running) so /metrics has a worker to count.
  const idle = new Worker(SCAN_QUEUE_NAME, async () => undefined, {
    connection: testRedis(),
    prefix,
    autorun: false,
  });
  await idle.waitUntilReady();
  closers.push(() => idle.close());

  board = await start({ DASHBOARD_TOKEN: TOKEN, DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD });
  closers.push(() => board.close());
});

afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await queue.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  dir.cleanup();
});

describe('dashboard access', () => {
  it('answers /healthz without credentials, checking Redis', async () => {
    const res = await fetch(`${board.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', redis: 'ok' });
  });

  it('refuses every other route without valid credentials', async () => {
    for (const route of ['/', '/api/stats', '/metrics', '/audit/report', '/queues/', '/queues/api/queues']) {
      const res = await fetch(`${board.url}${route}`);
      expect(res.status, route).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Basic realm=');
    }
    const wrong = [
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: 'Bearer ' },
      basic(USER, `${PASSWORD}x`),
      basic('admin', PASSWORD),
      basic(USER, ''),
      { authorization: TOKEN },
    ];
    for (const headers of wrong)
      expect((await fetch(`${board.url}/api/stats`, { headers })).status).toBe(401);
  });

  it('accepts the bearer token and basic auth', async () => {
    for (const headers of [bearer, basic(USER, PASSWORD)]) {
      const res = await fetch(`${board.url}/api/stats`, { headers });
      expect(res.status).toBe(200);
      const stats = await res.json();
      expect(stats).toMatchObject({
        source: 'redis',
        runId: 'run-http',
        results: 3,
        manifestCount: 20,
        percent: 15,
        byStatus: { success: 1, partial: 1, failed: 1, empty: 0, quarantined: 0 },
        topFrameworks: [
          { name: 'CrewAI', count: 2 },
          { name: 'AutoGen', count: 1 },
        ],
        queue: { waiting: 3, active: 0, failed: 1, workers: 1 },
        readOnly: false,
      });
    }
  });

  it('sets security headers', async () => {
    const res = await fetch(`${board.url}/`, { headers: bearer });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const html = await res.text();
    expect(html).toContain('<script defer src="assets/stats.js"></script>');
    expect(html).not.toMatch(/<script>(?!<)/); // no inline script
  });

  it('never shows the Redis password, the token or the dashboard password', async () => {
    const bodies: string[] = [];
    for (const route of ['/', '/api/stats', '/metrics', '/queues/', '/queues/api/queues', '/healthz']) {
      const res = await fetch(`${board.url}${route}`, { headers: bearer });
      expect(res.status, route).toBe(200);
      bodies.push(await res.text());
    }
    for (const body of bodies) for (const secret of SECRETS) expect(body).not.toContain(secret);
    const stats = JSON.parse(bodies[1]!);
    expect(stats.lastError.detail).toBe(
      'fatal: could not read from redis://[REDACTED]@10.0.0.5 token [REDACTED]',
    );
  });
});

describe('metrics', () => {
  it('exposes Prometheus text with the run numbers', async () => {
    const res = await fetch(`${board.url}/metrics`, { headers: bearer });
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const m = parsePrometheusText(await res.text());
    expect(m.types).toMatchObject({
      stratum_queue_jobs: 'gauge',
      stratum_scan_results: 'gauge',
      stratum_workers: 'gauge',
      stratum_scan_duration_seconds: 'histogram',
    });
    expect(sampleValue(m, 'stratum_queue_jobs', { state: 'waiting' })).toBe(3);
    expect(sampleValue(m, 'stratum_queue_jobs', { state: 'failed' })).toBe(1);
    expect(sampleValue(m, 'stratum_workers')).toBe(1);
    expect(sampleValue(m, 'stratum_scan_results', { status: 'success' })).toBe(1);
    expect(sampleValue(m, 'stratum_scan_results', { status: 'failed' })).toBe(1);
    expect(sampleValue(m, 'stratum_manifest_repos')).toBe(20);
    // Histogram from the counters: 90 ms ≤ 0.1 s, 650 ms ≤ 1 s, 4200 ms ≤ 5 s; cumulative.
    const bucket = (le: string) => sampleValue(m, 'stratum_scan_duration_seconds_bucket', { le });
    expect([bucket('0.1'), bucket('0.5'), bucket('1'), bucket('2.5'), bucket('5'), bucket('+Inf')]).toEqual([
      1, 1, 2, 2, 3, 3,
    ]);
    expect(sampleValue(m, 'stratum_scan_duration_seconds_count')).toBe(3);
    expect(sampleValue(m, 'stratum_scan_duration_seconds_sum')).toBeCloseTo(4.94, 6);
  });
});

describe('bull-board', () => {
  it('lists the scan queue through its API and serves its UI at /queues', async () => {
    const res = await fetch(`${board.url}/queues/api/queues?activeQueue=scan&status=failed&page=1`, {
      headers: bearer,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      queues: {
        name: string;
        counts: Record<string, number>;
        readOnlyMode: boolean;
        jobs: { id: string }[];
      }[];
    };
    expect(body.queues.map((q) => q.name)).toEqual(['scan']);
    expect(body.queues[0]!.counts).toMatchObject({ waiting: 3, failed: 1 });
    expect(body.queues[0]!.readOnlyMode).toBe(false);
    expect(body.queues[0]!.jobs.map((j) => j.id)).toEqual(['doomed']);
    const ui = await fetch(`${board.url}/queues/`, { headers: basic(USER, PASSWORD) });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<base href="/queues/"');
  });

  it('refuses cross-site writes and accepts same-origin ones', async () => {
    const retry = `${board.url}/queues/api/queues/scan/retry/failed`;
    const evil = await fetch(retry, { method: 'PUT', headers: { ...bearer, origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    const crossSite = await fetch(retry, {
      method: 'PUT',
      headers: { ...bearer, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 1 });

    const same = await fetch(retry, {
      method: 'PUT',
      headers: { ...basic(USER, PASSWORD), origin: board.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(same.status).toBe(200);
    expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: 4 });
  });

  it('hides and refuses writing actions in --read-only mode', async () => {
    const ro = await start({ DASHBOARD_TOKEN: TOKEN }, { readOnly: true });
    try {
      const list = await (await fetch(`${ro.url}/queues/api/queues`, { headers: bearer })).json();
      expect(list.queues[0].readOnlyMode).toBe(true);
      const res = await fetch(`${ro.url}/queues/api/queues/scan/clean/completed`, {
        method: 'PUT',
        headers: bearer,
      });
      expect(res.status).toBe(405);
    } finally {
      await ro.close();
    }
  });
});

describe('without credentials', () => {
  it('refuses to listen on a non-loopback address', async () => {
    await expect(start({}, { host: '0.0.0.0' })).rejects.toThrow(
      'refusing to listen on 0.0.0.0 without credentials: set DASHBOARD_TOKEN, or DASHBOARD_USER and DASHBOARD_PASSWORD, or bind a loopback address (--host 127.0.0.1)',
    );
    await expect(start({ DASHBOARD_USER: USER })).rejects.toThrow(
      'DASHBOARD_USER is set but DASHBOARD_PASSWORD is not',
    );
  });

  it('on loopback: open, read-only, and only for loopback host names', async () => {
    const open = await start({});
    try {
      expect(open.readOnly).toBe(true);
      expect((await fetch(`${open.url}/api/stats`)).status).toBe(200);
      const write = await fetch(`${open.url}/queues/api/queues/scan/pause`, { method: 'PUT' });
      expect(write.status).toBe(405);
      // A DNS-rebinding page reaches 127.0.0.1 under its own host name (fetch cannot forge Host).
      expect(await statusWithHost(`${open.url}/api/stats`, 'attacker.example:3000')).toBe(421);
      expect(await statusWithHost(`${open.url}/api/stats`, 'localhost:3000')).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('audit report link', () => {
  it('serves the report of a finished audit inside the data directory, and nothing else', async () => {
    const key = drainMarkerKey(prefix, 'run-http');
    expect((await fetch(`${board.url}/audit/report`, { headers: bearer })).status).toBe(404);
    const report = path.join(dir.dir, 'dataset_audit_report.md');
    writeFileSync(report, '# Dataset audit\n\n8/8 gates passed\n');
    const done = {
      state: 'done',
      owner: 't',
      at: new Date().toISOString(),
      attempts: 1,
      gatesPassed: 8,
      gatesTotal: 8,
    };
    await redis.set(key, JSON.stringify({ ...done, reportPath: '/etc/passwd' }));
    expect((await fetch(`${board.url}/audit/report`, { headers: bearer })).status).toBe(404);
    await redis.set(key, JSON.stringify({ ...done, reportPath: report }));
    const res = await fetch(`${board.url}/audit/report`, { headers: bearer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('# Dataset audit\n\n8/8 gates passed\n');
    await new Promise((r) => setTimeout(r, 1100)); // past the snapshot cache
    const stats = await (await fetch(`${board.url}/api/stats`, { headers: bearer })).json();
    expect(stats.audit).toEqual({
      state: 'done',
      at: done.at,
      reportAvailable: true,
      gatesPassed: 8,
      gatesTotal: 8,
    });
  });
});
