import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/core/project-root.js';
import { readCounters } from '../../src/core/run-counters.js';
import { GitRepoFactory, manifestRow, writeManifest } from '../support/git-repos.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { resultLines, waitUntil, writtenNames } from '../support/result-files.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, testEnv } from './helpers.js';

/**
 * Crash faults with the real CLI as separate processes (`node dist/src/cli.js …`, built by
 * `npm test`'s pretest): kill -9 of a worker mid-job, of the writer mid-run, and of a whole
 * `scan` followed by `scan --resume`. Each ends with exactly one row per repository.
 */
const CLI = path.join(projectRoot(), 'dist', 'src', 'cli.js');
const repos = new GitRepoFactory();
let redis: Redis;
const children: ChildProcess[] = [];
const cleanups: Array<() => unknown> = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  repos.create('slow/base', { files: { ...AGENT_REPO, 'stratum-test.json': '{"sleepMs": 1500}' } });
  repos.create('fast/base', { files: AGENT_REPO });
  for (let i = 0; i < 12; i++) repos.copy('slow/base', `slow/s${i}`);
  for (let i = 0; i < 24; i++) repos.copy('fast/base', `fast/f${i}`);
  redis = testRedis();
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

afterAll(() => {
  repos.cleanup();
  redis.disconnect();
});

function setup(names: string[]) {
  const prefix = uniquePrefix('crash');
  const data = tempDir('stratum-data');
  const work = tempDir('stratum-work');
  cleanups.push(data.cleanup, work.cleanup, () => deleteKeysWithPrefix(redis, prefix));
  const manifest = path.join(data.dir, 'repo_manifest.jsonl');
  writeManifest(
    manifest,
    names.map((n) => manifestRow(n, repos.fileUrl(n))),
  );
  const env = testEnv({
    STRATUM_QUEUE_PREFIX: prefix,
    STRATUM_DATA_DIR: data.dir,
    STRATUM_WORK_DIR: work.dir,
  });
  return { prefix, dataDir: data.dir, workDir: work.dir, env };
}

function cli(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  child.on('exit', (code) => {
    if (code) process.stderr.write(`[${args[0]} exited ${code}] ${err}\n`);
  });
  children.push(child);
  return child;
}

function exited(child: ChildProcess, timeoutMs = 60_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('process did not exit in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

async function activeJobs(prefix: string): Promise<number> {
  return redis.llen(`${prefix}:scan:active`);
}

describe('crash faults (separate CLI processes)', { timeout: 150_000 }, () => {
  it('kill -9 of a worker mid-job: its jobs are recovered and still end as exactly one row each', async () => {
    const names = Array.from({ length: 4 }, (_, i) => `slow/s${i}`);
    const s = setup(names);
    expect(await exited(cli(['enqueue'], s.env))).toBe(0);
    const victim = cli(['worker', '--concurrency', '2'], s.env);
    await waitUntil('the first worker to run jobs', async () => (await activeJobs(s.prefix)) >= 2);
    process.kill(victim.pid!, 'SIGKILL');
    await exited(victim);
    const victimDirs = readdirSync(s.workDir).filter((d) => d.includes(`-${victim.pid}-`));
    expect(victimDirs).toHaveLength(1);

    const survivor = cli(['worker', '--concurrency', '2'], s.env);
    const writer = cli(['writer', '--exit-when-done'], s.env);
    expect(await exited(writer)).toBe(0);
    expect(writtenNames(s.dataDir)).toEqual([...names].sort());
    // The survivor swept the dead worker's clone directory.
    expect(existsSync(path.join(s.workDir, victimDirs[0]!))).toBe(false);
    process.kill(survivor.pid!, 'SIGTERM');
    expect(await exited(survivor)).toBe(0);
    expect((await readCounters(redis, s.prefix)).results).toBe(4);
  });

  it('kill -9 of the writer mid-run: the restarted writer neither loses nor repeats a row', async () => {
    const names = Array.from({ length: 24 }, (_, i) => `fast/f${i}`);
    const s = setup(names);
    expect(await exited(cli(['enqueue'], s.env))).toBe(0);
    cli(['worker', '--concurrency', '4'], s.env);
    const first = cli(['writer'], s.env);
    await waitUntil('some rows', () => resultLines(s.dataDir).length >= 5);
    process.kill(first.pid!, 'SIGKILL');
    await exited(first);
    const before = resultLines(s.dataDir).length;
    expect(before).toBeLessThan(24);
    const second = cli(['writer', '--exit-when-done'], s.env);
    expect(await exited(second)).toBe(0);
    const written = writtenNames(s.dataDir);
    expect(written).toEqual([...names].sort());
    expect((await readCounters(redis, s.prefix)).results).toBe(24);
    const log = JSON.parse(readFileSync(path.join(s.dataDir, 'pipeline_run_log.json'), 'utf8'));
    expect(log.results_written).toBe(24);
  });

  it('scan --resume after everything was killed (and Redis lost its state) finishes with N rows', async () => {
    const names = [
      ...Array.from({ length: 6 }, (_, i) => `slow/s${i + 4}`),
      ...Array.from({ length: 6 }, (_, i) => `fast/f${i}`),
    ];
    const s = setup(names);
    const manifest = path.join(s.dataDir, 'repo_manifest.jsonl');
    const run = cli(['scan', '--workers', '3', '--manifest', manifest], s.env);
    await waitUntil('a few rows', () => resultLines(s.dataDir).length >= 3);
    process.kill(-run.pid!, 'SIGKILL'); // the whole process group: scan and its scanners
    await exited(run);
    const partial = resultLines(s.dataDir).length;
    expect(partial).toBeLessThan(12);
    await deleteKeysWithPrefix(redis, s.prefix);

    const resumed = cli(['scan', '--workers', '3', '--resume', '--manifest', manifest], s.env);
    let out = '';
    resumed.stdout?.on('data', (d) => {
      out += d;
    });
    expect(await exited(resumed)).toBe(0);
    expect(writtenNames(s.dataDir)).toEqual([...names].sort());
    expect(out).toMatch(/scan complete/);
    expect(out).toMatch(new RegExp(`already done ${partial}`));
  });
});
