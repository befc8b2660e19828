import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/core/command.js';
import type { Config } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { projectRoot } from '../../src/core/project-root.js';
import { readCounters, runKeys } from '../../src/core/run-counters.js';
import { jobIdFor } from '../../src/workers/job-data.js';
import { openScanQueue } from '../../src/workers/queue.js';
import { runScan, type ScanOptions } from '../../src/workers/run-scan.js';
import { journalPath, mergeReplacements } from '../../src/workers/writer/replacements.js';
import { startTestDashboard } from '../dashboard/helpers.js';
import { GitRepoFactory, manifestRow, writeManifest } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { resultLines, waitUntil, writtenNames } from '../support/result-files.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, SCANNERS, testConfig, testEnv } from './helpers.js';

// Issue #13 points 6 and 7: incremental rescans and retries replace rows atomically.
const CLI = path.join(projectRoot(), 'dist', 'src', 'cli.js');
const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
let redis: Redis;
const cleanups: Array<() => unknown> = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  await server.start();
  redis = testRedis();
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

afterAll(async () => {
  await server.stop();
  repos.cleanup();
  redis.disconnect();
});

/** A fake scanner that reports another version (a scanner upgrade), optionally slow. */
function upgradedScanner(version: string, sleepMs = 0): string {
  const dir = tempDir('stratum-scanner');
  cleanups.push(dir.cleanup);
  const file = path.join(dir.dir, `scanner-${version}.mjs`);
  writeFileSync(
    file,
    `#!/usr/bin/env node
import { buildPing, parseArgs } from ${JSON.stringify(path.join(SCANNERS, '_ping.mjs'))};
if (process.argv[2] === '--version') { process.stdout.write(${JSON.stringify(`${version}\n`)}); process.exit(0); }
const ping = buildPing(parseArgs(process.argv));
ping.scanner_version = ${JSON.stringify(version)};
await new Promise((r) => setTimeout(r, ${sleepMs}));
process.stdout.write(JSON.stringify(ping));
`,
  );
  chmodSync(file, 0o755);
  return file;
}

function setup(names: string[], heads: Record<string, string | null>) {
  const prefix = uniquePrefix('rescan');
  const data = tempDir('stratum-data');
  const work = tempDir('stratum-work');
  cleanups.push(data.cleanup, work.cleanup, () => deleteKeysWithPrefix(redis, prefix));
  const manifest = path.join(data.dir, 'repo_manifest.jsonl');
  const writeRows = (h: Record<string, string | null>) =>
    writeManifest(
      manifest,
      names.map((n) => manifestRow(n, server.url(n), { head_sha: h[n] ?? null })),
    );
  writeRows(heads);
  const ctx = (o: Partial<Record<keyof Config, unknown>> = {}): CommandContext => ({
    config: testConfig({ queuePrefix: prefix, workDir: work.dir, ...o }),
    dataDir: data.dir,
    logger: silentLogger,
    secrets: [],
  });
  return { prefix, dataDir: data.dir, workDir: work.dir, manifest, writeRows, ctx };
}

type Row = Record<string, unknown> & { repo_full_name: string };

function rows(dataDir: string): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const line of resultLines(dataDir)) {
    const r = JSON.parse(line) as Row;
    expect(out.has(r.repo_full_name), `${r.repo_full_name} has two rows`).toBe(false);
    out.set(r.repo_full_name, r);
  }
  return out;
}

async function scan(ctx: CommandContext, o: Partial<ScanOptions> = {}) {
  return runScan(ctx, { workers: 2, resume: false, tty: false, ...o });
}

describe('merging the replacement journal', () => {
  it('is idempotent, so a merge stopped after one file (a crash) is finished by the next one', async () => {
    const data = tempDir('stratum-merge');
    cleanups.push(data.cleanup);
    const line = (r: object) => `${JSON.stringify(r)}\n`;
    writeFileSync(
      path.join(data.dir, 'scan_results.jsonl'),
      [
        line({ repo_full_name: 'a/a', v: 1 }),
        line({ repo_full_name: 'e/e', nested: { repo_full_name: 'b/b' } }),
        line({ repo_full_name: 'b/b', v: 1 }),
        'not json\n',
        line({ repo_full_name: 'c/c', v: 1 }),
      ].join(''),
    );
    writeFileSync(path.join(data.dir, 'quarantine.jsonl'), line({ repo_full_name: 'd/d', v: 1 }));
    writeFileSync(
      journalPath(data.dir),
      [
        line({ file: 'results', row: { repo_full_name: 'b/b', v: 2 } }),
        line({ file: 'results', row: { repo_full_name: 'd/d', v: 2 } }),
        line({ file: 'quarantine', row: { repo_full_name: 'c/c', v: 2 } }),
        line({ file: 'results', row: { repo_full_name: 'b/b', v: 3 } }),
        '{"file": "results", "row": {"repo_fu', // torn, never acknowledged
      ].join(''),
    );
    await expect(
      mergeReplacements(data.dir, {
        afterFile: (f) => {
          if (f === 'results') throw new Error('crash after the first rename');
        },
      }),
    ).rejects.toThrow('crash');
    expect(existsSync(journalPath(data.dir))).toBe(true);
    const outcome = await mergeReplacements(data.dir);
    expect(outcome.replaced).toBe(3);
    expect(existsSync(journalPath(data.dir))).toBe(false);
    const results = readFileSync(path.join(data.dir, 'scan_results.jsonl'), 'utf8');
    expect(results).toBe(
      [
        line({ repo_full_name: 'a/a', v: 1 }),
        line({ repo_full_name: 'e/e', nested: { repo_full_name: 'b/b' } }),
        line({ repo_full_name: 'b/b', v: 3 }),
        'not json\n',
        line({ repo_full_name: 'd/d', v: 2 }),
      ].join(''),
    );
    expect(readFileSync(path.join(data.dir, 'quarantine.jsonl'), 'utf8')).toBe(
      line({ repo_full_name: 'c/c', v: 2 }),
    );
    // Merging again with no journal changes nothing.
    expect(await mergeReplacements(data.dir)).toEqual({ replaced: 0, dropped: 0 });
  });
});

describe('incremental rescans (real git, Redis, scanner processes)', { timeout: 180_000 }, () => {
  it('--resume reuses unchanged rows; --rescan-changed replaces exactly the changed ones', async () => {
    const names = ['inc/r0', 'inc/r1', 'inc/r2', 'inc/r3'];
    const heads: Record<string, string> = {};
    for (const n of names) {
      repos.create(n, { files: AGENT_REPO });
      heads[n] = repos.head(n);
    }
    const s = setup(names, heads);
    const first = await scan(s.ctx());
    expect(first.outcome).toBe('complete');
    const before = rows(s.dataDir);
    expect([...before.values()].map((r) => [r.commit_sha, r.scanner_version])).toEqual(
      names.map((n) => [heads[n], 'fake-0.0.1']),
    );

    // Pushed to after discovery: r1 is re-frozen at its new head, r2's manifest row is not.
    const r1 = repos.push('inc/r1', { 'extra.py': 'from crewai import Agent\nAgent(role="y")\n' });
    repos.push('inc/r2', { 'extra.py': 'x = 1\n' });
    s.writeRows({ ...heads, 'inc/r1': r1 });

    const resumed = await scan(s.ctx(), { resume: true });
    expect(resumed.enqueue).toMatchObject({ reused: 3, stale: 1, newQueued: 0, rescanQueued: 0 });
    expect(resultLines(s.dataDir)).toEqual([...before.values()].map((r) => JSON.stringify(r)));

    const rescanned = await scan(s.ctx(), { resume: true, rescanChanged: true });
    expect(rescanned.enqueue).toMatchObject({ reused: 3, stale: 0, rescanQueued: 1 });
    const after = rows(s.dataDir);
    expect(after.size).toBe(4);
    expect(after.get('inc/r1')).toMatchObject({ commit_sha: r1, commit_source: 'head_sha' });
    expect(after.get('inc/r1')?.scan_id).not.toBe(before.get('inc/r1')?.scan_id);
    // The others, r2 included (its manifest still freezes the old commit), are untouched.
    for (const n of ['inc/r0', 'inc/r2', 'inc/r3']) expect(after.get(n)).toEqual(before.get(n));
    const c = await readCounters(redis, s.prefix);
    expect(c).toMatchObject({ results: 4, replaced: 1 });
    expect(c.byStatus.success).toBe(4);
    const log = JSON.parse(readFileSync(path.join(s.dataDir, 'pipeline_run_log.json'), 'utf8'));
    expect(log.rows).toMatchObject({ reused: 3, rescan_queued: 1, replaced: 1 });

    // A scanner upgrade rescans every row whose scanner version differs, and only those.
    const upgraded = s.ctx({ scannerCommand: upgradedScanner('fake-0.0.2') });
    const upgrade = await scan(upgraded, { resume: true, rescanChanged: true });
    expect(upgrade.enqueue).toMatchObject({ reused: 0, rescanQueued: 4 });
    const final = rows(s.dataDir);
    expect([...final.values()].map((r) => r.scanner_version)).toEqual(names.map(() => 'fake-0.0.2'));
    expect(final.get('inc/r2')?.commit_sha).toBe(heads['inc/r2']);
    expect(await readCounters(redis, s.prefix)).toMatchObject({ results: 4, replaced: 5 });
    const again = await scan(upgraded, { resume: true, rescanChanged: true });
    expect(again.enqueue).toMatchObject({ reused: 4, rescanQueued: 0 });
  });

  it('kill -9 in the middle of scan --rescan-changed: the rerun ends with every row replaced once', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `kill/k${i}`);
    repos.create('kill/base', { files: AGENT_REPO });
    for (const n of names) repos.copy('kill/base', n);
    const s = setup(names, {});
    expect((await scan(s.ctx())).outcome).toBe('complete');
    const before = rows(s.dataDir);
    const env = testEnv({
      STRATUM_QUEUE_PREFIX: s.prefix,
      STRATUM_DATA_DIR: s.dataDir,
      STRATUM_WORK_DIR: s.workDir,
      STRATUM_SCANNER: upgradedScanner('fake-0.0.2', 600),
    });
    const run = (args: string[]) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore', detached: true });
      children.push(child);
      return child;
    };
    const victim = run(['scan', '--rescan-changed', '--workers', '2']);
    await waitUntil(
      'replacements in the journal',
      () =>
        existsSync(journalPath(s.dataDir)) &&
        readFileSync(journalPath(s.dataDir), 'utf8').split('\n').length > 2,
      60_000,
    );
    process.kill(-victim.pid!, 'SIGKILL');
    await new Promise((r) => victim.once('exit', r));
    // Nothing merged yet or partly merged: never a repository without a row or with two.
    expect(writtenNames(s.dataDir)).toEqual([...names].sort());

    const rerun = run(['scan', '--rescan-changed', '--workers', '2']);
    const code = await new Promise((r) => rerun.once('exit', r));
    expect(code).toBe(0);
    const after = rows(s.dataDir);
    expect([...after.keys()].sort()).toEqual([...names].sort());
    for (const n of names) {
      expect(after.get(n)?.scanner_version).toBe('fake-0.0.2');
      expect(after.get(n)?.scan_id).not.toBe(before.get(n)?.scan_id);
    }
    expect(existsSync(journalPath(s.dataDir))).toBe(false);
    const c = await readCounters(redis, s.prefix);
    expect(c).toMatchObject({ results: 8, replaced: 8 });
    expect(c.byStatus.success).toBe(8);
  });
});

describe('retrying what failed (bull-board and the CLI)', { timeout: 180_000 }, () => {
  it('a rate-limited repository stays a failed job; a retry from bull-board replaces its row', async () => {
    const names = ['retry/ok', 'retry/limited'];
    for (const n of names) repos.create(n, { files: AGENT_REPO });
    server.faults.set('/retry/limited.git', { kind: 'status', status: 429 });
    const s = setup(names, {});
    const first = await scan(s.ctx());
    expect(first.outcome).toBe('complete');
    expect(rows(s.dataDir).get('retry/limited')).toMatchObject({
      scan_status: 'failed',
      failure_reason: 'clone_rate_limited',
    });
    const queue = openScanQueue(s.ctx().config, redis);
    cleanups.push(() => queue.close());
    const id = jobIdFor('retry/limited');
    expect(await queue.getJobState(id)).toBe('failed');
    expect(await redis.sismember(runKeys(s.prefix).kept, id)).toBe(1);
    expect((await readCounters(redis, s.prefix)).byFailure).toEqual({ clone_rate_limited: 1 });

    server.faults.delete('/retry/limited.git');
    const token = 'tok-retry-0123456789abcdef';
    const board = await startTestDashboard({
      config: s.ctx({ dashboardToken: token }).config,
      dataDir: s.dataDir,
      secrets: [token],
    });
    cleanups.push(() => board.close());
    const stats = async () =>
      (await (
        await fetch(`${board.url}/api/stats`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        results: number;
        byStatus: Record<string, number>;
        replaced: number;
      };
    expect(await stats()).toMatchObject({ results: 2, byStatus: { success: 1, failed: 1 }, replaced: 0 });
    const listed = await fetch(`${board.url}/queues/api/queues?activeQueue=scan&status=failed&page=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(JSON.stringify(await listed.json())).toContain(id);
    const res = await fetch(`${board.url}/queues/api/queues/scan/${id}/retry`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, origin: board.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status).toBe(204);
    const after = await scan(s.ctx(), { resume: true });
    expect(after.outcome).toBe('complete');
    const written = rows(s.dataDir);
    expect(written.size).toBe(2);
    expect(written.get('retry/limited')).toMatchObject({ scan_status: 'success', failure_reason: null });
    const c = await readCounters(redis, s.prefix);
    expect(c).toMatchObject({ results: 2, replaced: 1, byFailure: {} });
    expect(c.byStatus).toMatchObject({ success: 2, failed: 0 });
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(await redis.scard(runKeys(s.prefix).kept)).toBe(0);
    // The dashboard follows the replaced row, and counts the replacement (stats and metrics).
    expect(await stats()).toMatchObject({ results: 2, byStatus: { success: 2, failed: 0 }, replaced: 1 });
    const metrics = await (
      await fetch(`${board.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    expect(metrics).toMatch(/^stratum_rows_replaced 1$/m);
  });

  it('scan --retry-failed [--reason] rescans the failed rows it names and replaces them', async () => {
    const names = ['cli/ok', 'cli/limited', 'cli/missing'];
    for (const n of names.slice(0, 2)) repos.create(n, { files: AGENT_REPO });
    server.faults.set('/cli/limited.git', { kind: 'status', status: 429 });
    const s = setup(names, {});
    await scan(s.ctx());
    expect(rows(s.dataDir).get('cli/missing')?.failure_reason).toBe('clone_404');
    server.faults.delete('/cli/limited.git');

    const only404 = await scan(s.ctx(), { retryFailed: ['clone_404'] });
    expect(only404.enqueue).toMatchObject({ retryQueued: 1, reused: 2 });
    expect(rows(s.dataDir).get('cli/limited')?.failure_reason).toBe('clone_rate_limited');

    const retried = await scan(s.ctx(), { retryFailed: [] });
    expect(retried.enqueue).toMatchObject({ retryQueued: 1 });
    const written = rows(s.dataDir);
    expect(written.size).toBe(3);
    expect(written.get('cli/limited')?.scan_status).toBe('success');
    expect(written.get('cli/missing')?.failure_reason).toBe('clone_404');
    const c = await readCounters(redis, s.prefix);
    expect(c).toMatchObject({ results: 3, replaced: 2 });
    expect(c.byFailure).toEqual({ clone_404: 1 });
  });

  it('bad retry flags are one clear line and exit 2', () => {
    for (const [args, message] of [
      [['scan', '--reason', 'clone_404'], '--reason needs --retry-failed'],
      [['scan', '--retry-failed', '--reason', 'bogus'], '--reason bogus: not a failure code'],
      [['enqueue', '--retry-failed', '--reason', 'bogus'], '--reason bogus: not a failure code'],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, ...args], { env: testEnv({}), encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
    }
  });
});
