import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { createRedis } from '../../src/core/redis.js';
import { readCounters } from '../../src/core/run-counters.js';
import { enqueueManifest } from '../../src/producer/enqueue/enqueue.js';
import { openScanQueue } from '../../src/workers/queue.js';
import { runScan } from '../../src/workers/run-scan.js';
import { startScanWorker } from '../../src/workers/scan-worker.js';
import { ResultWriter } from '../../src/workers/writer/result-writer.js';
import { GitRepoFactory, manifestRow, writeManifest } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { jsonlRows } from '../support/result-files.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, testConfig } from './helpers.js';

const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
let redis: Redis;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  repos.create('acme/agents', { files: AGENT_REPO });
  repos.create('acme/docs', { files: { 'README.md': '# no code\n' } });
  repos.create('acme/slow', { files: { ...AGENT_REPO, 'stratum-test.json': '{"sleepMs": 2500}' } });
  for (let i = 0; i < 16; i++) repos.copy(i % 2 ? 'acme/agents' : 'acme/docs', `bulk/r${i}`);
  await server.start();
  redis = testRedis();
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

afterAll(async () => {
  await server.stop();
  repos.cleanup();
  redis.disconnect();
});

interface Env {
  config: Config;
  dataDir: string;
  manifest: string;
  workDir: string;
}

function env(overrides: Partial<Record<keyof Config, unknown>> = {}): Env {
  const prefix = uniquePrefix('runner');
  const data = tempDir('stratum-data');
  const work = tempDir('stratum-work');
  cleanups.push(data.cleanup, work.cleanup, () => deleteKeysWithPrefix(redis, prefix));
  const config = testConfig({ queuePrefix: prefix, dataDir: data.dir, workDir: work.dir, ...overrides });
  return {
    config,
    dataDir: data.dir,
    manifest: path.join(data.dir, 'repo_manifest.jsonl'),
    workDir: work.dir,
  };
}

const rows = jsonlRows;

function allRows(dataDir: string): any[] {
  return [...rows(dataDir), ...rows(dataDir, 'quarantine.jsonl')];
}

async function scan(e: Env, o: { resume?: boolean; workers?: number; limit?: number } = {}) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 100_000);
  try {
    return await runScan(
      { config: e.config, dataDir: e.dataDir, logger: silentLogger, secrets: [] },
      {
        manifest: e.manifest,
        workers: o.workers ?? 4,
        resume: Boolean(o.resume),
        signal: ac.signal,
        tty: false,
        ...(o.limit !== undefined ? { limit: o.limit } : {}),
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

async function scanKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:scan:r*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

describe('scan: N manifest repositories in, exactly N rows out', { timeout: 120_000 }, () => {
  it('writes one row per repository, no duplicates, counters and run log agree, Redis emptied', async () => {
    const e = env();
    const names = Array.from({ length: 16 }, (_, i) => `bulk/r${i}`);
    const manifest = names.map((n, i) => manifestRow(n, i % 3 ? repos.fileUrl(n) : server.url(n)));
    writeManifest(e.manifest, [
      ...manifest,
      manifest[3]!,
      '{"repo_full_name": "broken/json", ',
      manifestRow('acme/agents', repos.fileUrl('acme/agents')),
    ]);

    const s = await scan(e, { workers: 4 });
    expect(s.outcome).toBe('complete');
    const out = allRows(e.dataDir);
    const written = out.map((r) => r.repo_full_name).sort();
    expect(written).toEqual([...names, 'acme/agents'].sort());
    expect(new Set(written).size).toBe(written.length);
    expect(s.enqueue).toMatchObject({ manifestCount: 17, added: 17, duplicateInManifest: 1 });
    expect(s.enqueue.skipped).toHaveLength(1);
    expect(s.enqueue.skipped[0]?.line).toBe(18);

    const byName = new Map(out.map((r) => [r.repo_full_name, r]));
    expect(byName.get('bulk/r1')).toMatchObject({ scan_status: 'success', frameworks: ['CrewAI'] });
    expect(byName.get('bulk/r0')).toMatchObject({ scan_status: 'empty', failure_reason: 'no_python' });

    const c = await readCounters(redis, e.config.queuePrefix);
    expect(c.results).toBe(17);
    expect(c.byStatus.success + c.byStatus.empty).toBe(17);
    expect(c.meta).toMatchObject({ manifest_count: '17', enqueued: '17', enqueue_finished: '1' });
    const log = JSON.parse(readFileSync(path.join(e.dataDir, 'pipeline_run_log.json'), 'utf8'));
    expect(log).toMatchObject({ results_written: 17, manifest_count: 17, run_id: c.meta.run_id });
    expect(log.ended_at).toBeTruthy();
    expect(log.status_counts.success).toBe(c.byStatus.success);
    // An external scanner runs one process per repository: no warm scanner in this run.
    expect(log.warm_scanner).toEqual({
      scans_served: 0,
      processes_started: 0,
      recycled_by_count: 0,
      recycled_by_memory: 0,
      processes_failed: 0,
      retried_fresh: 0,
    });
    // Written jobs are removed: Redis holds no job for this run any more.
    expect(await scanKeys(e.config.queuePrefix)).toEqual([]);
    // Every clone directory is gone.
    expect(readdirSync(e.workDir).flatMap((d) => readdirSync(path.join(e.workDir, d)))).toEqual([]);
  });

  it('uses the built-in scanner by default (compiled dist/src/scanner/cli.js)', async () => {
    const e = env({ scannerCommand: '' });
    writeManifest(e.manifest, [
      manifestRow('acme/agents', repos.fileUrl('acme/agents')),
      manifestRow('acme/docs', server.url('acme/docs')),
    ]);
    const s = await scan(e);
    expect(s.outcome).toBe('complete');
    const byName = new Map(allRows(e.dataDir).map((r) => [r.repo_full_name, r]));
    expect(byName.size).toBe(2);
    const agents = byName.get('acme/agents');
    expect(agents?.scan_status, JSON.stringify(agents).slice(0, 400)).toBe('success');
    expect(agents?.frameworks).toContain('CrewAI');
    expect(byName.get('acme/docs')?.scan_status).toBe('empty');
    // Both repositories were answered by the warm scanner, and the run log says so.
    const log = JSON.parse(readFileSync(path.join(e.dataDir, 'pipeline_run_log.json'), 'utf8'));
    expect(log.warm_scanner).toMatchObject({ scans_served: 2, processes_failed: 0, retried_fresh: 0 });
    expect(log.warm_scanner.processes_started).toBeGreaterThanOrEqual(1);
  });

  it('refuses to start over existing rows without --resume; --resume adds nothing twice', async () => {
    const e = env();
    writeManifest(e.manifest, [
      manifestRow('acme/agents', repos.fileUrl('acme/agents')),
      manifestRow('acme/docs', repos.fileUrl('acme/docs')),
    ]);
    await scan(e, { limit: 1 });
    expect(allRows(e.dataDir)).toHaveLength(1);
    await expect(scan(e)).rejects.toThrow(/--resume/);
    const again = await scan(e, { resume: true });
    expect(again.enqueue).toMatchObject({ added: 1, alreadyDone: 1 });
    expect(
      allRows(e.dataDir)
        .map((r) => r.repo_full_name)
        .sort(),
    ).toEqual(['acme/agents', 'acme/docs']);
    // Redis wiped: --resume still knows what was written, from the files.
    await deleteKeysWithPrefix(redis, e.config.queuePrefix);
    const third = await scan(e, { resume: true });
    expect(third.enqueue).toMatchObject({ added: 0, alreadyDone: 2 });
    expect(allRows(e.dataDir)).toHaveLength(2);
    expect((await readCounters(redis, e.config.queuePrefix)).results).toBe(2);
  });
});

describe('scan: every failure mode still ends as exactly one row', { timeout: 120_000 }, () => {
  it('404, rate limit, timeout, too large, hostile rows → the right failed rows; nothing escapes', async () => {
    // The clone timeout must stop the hanging server yet let real clones finish on a loaded machine.
    const e = env({ cloneTimeoutMs: 15_000, maxAttempts: 2, maxRepoSizeKb: 2000 });
    const sentinel = path.join(os.tmpdir(), `stratum-pwned-${process.pid}-${Date.now()}`);
    repos.create('rate/limited', { files: AGENT_REPO });
    repos.create('hang/forever', { files: AGENT_REPO });
    server.faults.set('/rate/limited.git', { kind: 'status', status: 429, times: 1 });
    server.faults.set('/hang/forever.git', { kind: 'hang' });
    writeManifest(e.manifest, [
      manifestRow('acme/agents', server.url('acme/agents')),
      manifestRow('gone/missing', server.url('gone/missing')),
      manifestRow('rate/limited', server.url('rate/limited')),
      manifestRow('hang/forever', server.url('hang/forever')),
      manifestRow('huge/repo', server.url('acme/agents'), { github_size_kb: 9_000_000 }),
      manifestRow('-oProxyCommand=x', `https://github.com/a/b`),
      manifestRow('../../../tmp/evil', `file://${sentinel}`),
      manifestRow('opt/url', `--upload-pack=touch ${sentinel}`),
    ]);
    const s = await scan(e, { workers: 4 });
    expect(s.outcome).toBe('complete');
    server.faults.delete('/hang/forever.git');
    const out = allRows(e.dataDir);
    expect(out).toHaveLength(8);
    const byName = new Map(out.map((r) => [r.repo_full_name, r]));
    const reason = (n: string) => byName.get(n)?.failure_reason ?? byName.get(n)?.ping?.failure_reason;
    expect(byName.get('acme/agents')?.scan_status).toBe('success');
    expect(reason('gone/missing')).toBe('clone_404');
    expect(server.requestCount('gone/missing')).toBe(1);
    expect(byName.get('rate/limited')?.scan_status).toBe('success');
    expect(reason('hang/forever')).toBe('clone_timeout');
    expect(byName.get('hang/forever')?.failure_detail).toMatch(/after 2 attempts/);
    expect(reason('huge/repo')).toBe('too_large');
    for (const n of ['-oProxyCommand=x', '../../../tmp/evil', 'opt/url']) {
      expect(reason(n)).toBe('clone_error');
    }
    expect(existsSync(sentinel)).toBe(false);
    const c = await readCounters(redis, e.config.queuePrefix);
    expect(c.results).toBe(8);
    expect(Number(c.meta.rate_limit_hits)).toBe(1);
    expect(Number(c.meta.retries)).toBe(2);
    expect(c.byFailure).toMatchObject({ clone_404: 1, clone_timeout: 1, too_large: 1, clone_error: 3 });
  });

  it('symlinks and submodules of a hostile repository lead nowhere, even for a scanner that follows links', async () => {
    const e = env();
    const outside = tempDir('stratum-outside');
    cleanups.push(outside.cleanup);
    repos.create('evil/links', {
      files: AGENT_REPO,
      symlinks: { 'escape.py': outside.dir, 'lib/up.yaml': '../../../../..', 'passwd.json': '/etc/passwd' },
      submodules: [{ path: 'vendor/other', url: `file://${outside.dir}` }],
    });
    writeManifest(e.manifest, [manifestRow('evil/links', repos.fileUrl('evil/links'))]);
    await scan(e);
    const [row] = rows(e.dataDir);
    expect(row).toMatchObject({ repo_full_name: 'evil/links', scan_status: 'success' });
    // The fake scanner leaves a `.scanned` marker in every directory it walks into (following
    // symlinks): none may appear outside the clone.
    expect(readdirSync(outside.dir)).toEqual([]);
    expect(readdirSync(e.workDir).flatMap((d) => readdirSync(path.join(e.workDir, d)))).toEqual([]);
  });

  it('a scanner that breaks the contract → quarantine.jsonl, counted as quarantined', async () => {
    const e = env({ scannerCommand: path.join(path.dirname(testConfig().scannerCommand), 'invariants.mjs') });
    writeManifest(e.manifest, [manifestRow('acme/agents', repos.fileUrl('acme/agents'))]);
    await scan(e);
    expect(rows(e.dataDir)).toEqual([]);
    const q = rows(e.dataDir, 'quarantine.jsonl');
    expect(q).toHaveLength(1);
    expect(q[0].validation_errors.length).toBeGreaterThanOrEqual(2);
    expect((await readCounters(redis, e.config.queuePrefix)).byStatus.quarantined).toBe(1);
  });
});

describe('the writer', () => {
  it('never writes a repository twice after a crash between fsync and acknowledge', async () => {
    const e = env();
    writeManifest(
      e.manifest,
      ['acme/agents', 'acme/docs', 'bulk/r1'].map((n) => manifestRow(n, repos.fileUrl(n))),
    );
    const conn = createRedis(e.config);
    const queue = openScanQueue(e.config, conn);
    cleanups.push(
      () => conn.disconnect(),
      () => queue.close(),
    );
    await enqueueManifest(
      e.config,
      conn,
      queue,
      { manifestPath: e.manifest, dataDir: e.dataDir, resume: false },
      silentLogger,
    );
    const worker = await startScanWorker(e.config, { concurrency: 3, logger: silentLogger, secrets: [] });
    while ((await queue.getJobCounts('completed')).completed < 3) await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    // The crash: one row reached the file, but its counters and the job removal did not happen.
    const [first] = await queue.getJobs(['completed'], 0, 0, true);
    const rv = first!.returnvalue as any;
    mkdirSync(e.dataDir, { recursive: true });
    writeFileSync(
      path.join(e.dataDir, 'scan_results.jsonl'),
      `${JSON.stringify(rv.ping)}\n{"repo_full_name": "torn`,
    );

    const writer = await ResultWriter.open({
      dataDir: e.dataDir,
      prefix: e.config.queuePrefix,
      redis: conn,
      queue,
      logger: silentLogger,
      secrets: [],
      lockTtlMs: 3000,
    });
    await expect(
      ResultWriter.open({
        dataDir: e.dataDir,
        prefix: e.config.queuePrefix,
        redis: conn,
        queue,
        logger: silentLogger,
        secrets: [],
        lockTtlMs: 3000,
        lockWaitMs: 0,
      }),
    ).rejects.toThrow(/exactly one writer/);
    expect(await writer.runUntilComplete({ pollMs: 20 })).toBe('complete');
    await writer.close();
    const names = rows(e.dataDir).map((r) => r.repo_full_name);
    expect(names.sort()).toEqual(['acme/agents', 'acme/docs', 'bulk/r1']);
    expect(writer.duplicatesDropped).toBe(1);
    expect((await readCounters(redis, e.config.queuePrefix)).results).toBe(3);
  });
});

describe('jobs that fail outright', () => {
  it('become failed/worker_exception rows (exactly one each), with the reason', async () => {
    const e = env({ maxAttempts: 1 });
    writeManifest(e.manifest, [manifestRow('acme/agents', repos.fileUrl('acme/agents'))]);
    const conn = createRedis(e.config);
    const queue = openScanQueue(e.config, conn);
    cleanups.push(
      () => conn.disconnect(),
      () => queue.close(),
    );
    await enqueueManifest(
      e.config,
      conn,
      queue,
      { manifestPath: e.manifest, dataDir: e.dataDir, resume: false },
      silentLogger,
    );
    const brokenConn = createRedis(e.config);
    // A worker whose processor dies unexpectedly (a bug, a full disk): the job ends in `failed`.
    const broken = new Worker(
      'scan',
      async () => {
        throw new Error('ENOSPC: no space left on device');
      },
      { connection: brokenConn, prefix: e.config.queuePrefix },
    );
    cleanups.push(
      () => brokenConn.disconnect(),
      () => broken.close(true),
    );
    while ((await queue.getJobCounts('failed')).failed < 1) await new Promise((r) => setTimeout(r, 50));
    await broken.close();
    const writer = await ResultWriter.open({
      dataDir: e.dataDir,
      prefix: e.config.queuePrefix,
      redis: conn,
      queue,
      logger: silentLogger,
      secrets: [],
      lockTtlMs: 3000,
    });
    expect(await writer.runUntilComplete({ pollMs: 20 })).toBe('complete');
    await writer.close();
    const out = rows(e.dataDir);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      repo_full_name: 'acme/agents',
      scan_status: 'failed',
      failure_reason: 'worker_exception',
    });
    expect(out[0].failure_detail).toMatch(/ENOSPC/);
  });
});

describe('graceful shutdown', () => {
  it('lets a running job finish within the grace period', async () => {
    const e = env();
    writeManifest(e.manifest, [manifestRow('acme/slow', repos.fileUrl('acme/slow'))]);
    const conn = createRedis(e.config);
    const queue = openScanQueue(e.config, conn);
    cleanups.push(
      () => conn.disconnect(),
      () => queue.close(),
    );
    await enqueueManifest(
      e.config,
      conn,
      queue,
      { manifestPath: e.manifest, dataDir: e.dataDir, resume: false },
      silentLogger,
    );
    const worker = await startScanWorker(e.config, { concurrency: 1, logger: silentLogger, secrets: [] });
    while ((await queue.getJobCounts('active')).active < 1) await new Promise((r) => setTimeout(r, 50));
    expect(await worker.close(10_000)).toBe('drained');
    expect((await queue.getJobCounts('completed')).completed).toBe(1);
  });

  it('releases a job that outlives the grace period; another worker finishes it, one row', async () => {
    const e = env();
    writeManifest(e.manifest, [manifestRow('acme/slow', repos.fileUrl('acme/slow'))]);
    const conn = createRedis(e.config);
    const queue = openScanQueue(e.config, conn);
    cleanups.push(
      () => conn.disconnect(),
      () => queue.close(),
    );
    await enqueueManifest(
      e.config,
      conn,
      queue,
      { manifestPath: e.manifest, dataDir: e.dataDir, resume: false },
      silentLogger,
    );
    const first = await startScanWorker(e.config, { concurrency: 1, logger: silentLogger, secrets: [] });
    while ((await queue.getJobCounts('active')).active < 1) await new Promise((r) => setTimeout(r, 50));
    expect(await first.close(300)).toBe('released');
    const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'delayed', 'active');
    expect(counts.completed + counts.failed).toBe(0);
    const second = await startScanWorker(e.config, { concurrency: 1, logger: silentLogger, secrets: [] });
    const writer = await ResultWriter.open({
      dataDir: e.dataDir,
      prefix: e.config.queuePrefix,
      redis: conn,
      queue,
      logger: silentLogger,
      secrets: [],
      lockTtlMs: 3000,
    });
    expect(await writer.runUntilComplete({ pollMs: 50 })).toBe('complete');
    await writer.close();
    await second.close();
    expect(rows(e.dataDir).map((r) => [r.repo_full_name, r.scan_status])).toEqual([['acme/slow', 'success']]);
  });
});
