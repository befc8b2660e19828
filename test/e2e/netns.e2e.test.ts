import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/e2e-population.js';
import { tempDir } from '../support/tmp.js';
import { writePopulation } from '../support/write-population.js';

/**
 * Share nothing but Redis, without containers (issue #14 §4): the test makes three network
 * namespaces — a hub with a password-protected redis-server, the producer and the writer, and
 * two worker namespaces, each joined to the hub by its own veth pair. The Redis address exists
 * only on those veth ends inside the namespaces: the worker namespaces have no other interface
 * than loopback and no default route, so no packet of theirs can leave what the test made.
 * Each worker has its own work directory; repositories are read from file:// URLs (the
 * input), results reach the data directory only through Redis and the writer.
 *
 * Needs root and iproute2: test/support/prerequisites.ts fails the run at once without them.
 */
const REPOS = 40;
const PASSWORD = 'netns-Redis-Passw0rd-DoNotLeak';
const id = `${process.pid % 100000}`;
const NS = { hub: `stn${id}h`, w1: `stn${id}w1`, w2: `stn${id}w2` };
/** Hub side .1, worker side .2 of one /30 per worker: addresses in no namespace but ours. */
const LINKS = [
  { ns: NS.w1, hubIf: 'hv1', workerIf: 'wv1', hubIp: '10.214.1.1', workerIp: '10.214.1.2' },
  { ns: NS.w2, hubIf: 'hv2', workerIf: 'wv2', hubIp: '10.214.2.1', workerIp: '10.214.2.2' },
] as const;
const REDIS_PORT = 6379;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function deleteNamespaces(): void {
  for (const ns of Object.values(NS)) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // not created, or already gone
    }
  }
}

const tmp = tempDir('stratum-netns');
const children: ChildProcess[] = [];
let redis: ChildProcess | undefined;
let manifestNames: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI inside a namespace with exactly `env`; resolves when it exits. */
function inNamespace(
  ns: string,
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

function baseEnv(redisIp: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp.dir,
    REDIS_URL: `redis://:${PASSWORD}@${redisIp}:${REDIS_PORT}`,
    STRATUM_QUEUE_PREFIX: `netns${id}`,
    STRATUM_ALLOW_LOCAL_URLS: '1',
    // debug: one log line per finished job, which tells which namespace ran it
    STRATUM_LOG_LEVEL: 'debug',
    STRATUM_LOCK_DURATION_MS: '5000',
    STRATUM_STALLED_INTERVAL_MS: '2000',
    STRATUM_RETRY_BACKOFF_MS: '200',
    STRATUM_WRITER_POLL_MS: '100',
    ...extra,
  };
}

async function waitForRedis(): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const out = execFileSync(
        'ip',
        ['netns', 'exec', NS.hub, 'redis-cli', '-h', LINKS[0].hubIp, '-p', String(REDIS_PORT), 'ping'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          env: { ...process.env, REDISCLI_AUTH: PASSWORD },
        },
      );
      if (out.includes('PONG')) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('redis-server in the hub namespace did not answer');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('workers in network namespaces share nothing but Redis', () => {
  beforeAll(async () => {
    deleteNamespaces();
    process.once('exit', deleteNamespaces);
    for (const ns of Object.values(NS)) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    for (const l of LINKS) {
      ip('-n', NS.hub, 'link', 'add', l.hubIf, 'type', 'veth', 'peer', 'name', l.workerIf, 'netns', l.ns);
      ip('-n', NS.hub, 'addr', 'add', `${l.hubIp}/30`, 'dev', l.hubIf);
      ip('-n', l.ns, 'addr', 'add', `${l.workerIp}/30`, 'dev', l.workerIf);
      ip('-n', NS.hub, 'link', 'set', l.hubIf, 'up');
      ip('-n', l.ns, 'link', 'set', l.workerIf, 'up');
    }
    mkdirSync(path.join(tmp.dir, 'redis'), { recursive: true });
    redis = spawn(
      'ip',
      [
        'netns',
        'exec',
        NS.hub,
        'redis-server',
        '--bind',
        ...LINKS.map((l) => l.hubIp),
        '--port',
        String(REDIS_PORT),
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--dir',
        path.join(tmp.dir, 'redis'),
        '--requirepass',
        PASSWORD,
      ],
      { stdio: 'ignore' },
    );
    await waitForRedis();
    const { repos } = await writePopulation({
      count: REPOS,
      out: path.join(tmp.dir, 'population'),
      urlBase: `file://${path.join(tmp.dir, 'population', 'serve')}`,
      manifest: path.join(tmp.dir, 'data', 'repo_manifest.jsonl'),
    });
    expect(repos).toBeGreaterThan(REPOS / 2);
    manifestNames = readFileSync(path.join(tmp.dir, 'data', 'repo_manifest.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { repo_full_name: string }).repo_full_name);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (redis && redis.exitCode === null) redis.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    deleteNamespaces();
    process.off('exit', deleteNamespaces);
    tmp.cleanup();
  });

  it('the Redis address exists only inside the namespaces, and workers have no route out', () => {
    const rootAddrs = ip('-o', 'addr');
    for (const l of LINKS) {
      expect(rootAddrs).not.toContain(l.hubIp);
      expect(rootAddrs).not.toContain(l.workerIp);
      const links = ip('-n', l.ns, '-o', 'link')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(':')[1]?.trim().split('@')[0]);
      expect(links.sort()).toEqual([l.workerIf, 'lo'].sort());
      const routes = ip('-n', l.ns, 'route').trim().split('\n');
      expect(routes).toEqual([
        `${l.hubIp.replace(/\.1$/, '.0')}/30 dev ${l.workerIf} proto kernel scope link src ${l.workerIp} `.trim(),
      ]);
    }
  });

  it('a worker with a wrong password or the wrong address fails at once and says which', async () => {
    const wrong = inNamespace(NS.w1, ['worker'], {
      ...baseEnv(LINKS[0].hubIp),
      REDIS_URL: `redis://:not-the-password@${LINKS[0].hubIp}:${REDIS_PORT}`,
      STRATUM_WORK_DIR: path.join(tmp.dir, 'w-wrong'),
    });
    const started = Date.now();
    const r = await wrong.done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused the password in REDIS_URL/);
    expect(r.stderr + r.stdout).not.toContain('not-the-password');
    expect(Date.now() - started).toBeLessThan(15_000);
    // The other worker's hub address is not routed from this namespace: refused at once.
    const away = await inNamespace(NS.w1, ['worker'], {
      ...baseEnv(LINKS[1].hubIp),
      STRATUM_WORK_DIR: path.join(tmp.dir, 'w-away'),
    }).done;
    expect(away.code).not.toBe(0);
    expect(away.stderr).toMatch(/is not reachable/);
  }, 60_000);

  it('two workers in their own namespaces scan every repository exactly once through Redis', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const hubEnv = baseEnv(LINKS[0].hubIp, { STRATUM_DATA_DIR: dataDir });
    const enqueue = await inNamespace(NS.hub, ['enqueue'], hubEnv).done;
    expect(enqueue.code, enqueue.stderr).toBe(0);
    const writer = inNamespace(NS.hub, ['writer', '--exit-when-done'], hubEnv);
    const workers = LINKS.map((l, i) => {
      const workDir = path.join(tmp.dir, `work-${i + 1}`);
      return {
        workDir,
        run: inNamespace(l.ns, ['worker', '--concurrency', '2'], {
          ...baseEnv(l.hubIp),
          STRATUM_WORK_DIR: workDir,
          STRATUM_DATA_DIR: path.join(tmp.dir, `worker-data-${i + 1}`),
        }),
      };
    });
    const written = await writer.done;
    expect(written.code, written.stderr).toBe(0);
    for (const w of workers) w.run.child.kill('SIGTERM');
    const outcomes = await Promise.all(workers.map((w) => w.run.done));

    const rows = ['scan_results.jsonl', 'quarantine.jsonl']
      .map((f) => path.join(dataDir, f))
      .filter((f) => existsSync(f))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { repo_full_name: string }).repo_full_name);
    expect(rows.length).toBe(manifestNames.length);
    expect(new Set(rows)).toEqual(new Set(manifestNames));

    // Both namespaces did work, each in its own work directory, and left it clean.
    const jobsDone = outcomes.map((o) => (o.stderr.match(/"status":"[a-z]+","reason"/g) ?? []).length);
    expect(
      jobsDone.every((n) => n > 0),
      `jobs done per worker: ${jobsDone}`,
    ).toBe(true);
    expect(jobsDone.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(manifestNames.length);
    for (const w of workers) {
      expect(existsSync(w.workDir)).toBe(true);
      const leftovers = readdirSync(w.workDir).flatMap((d) => readdirSync(path.join(w.workDir, d)));
      expect(leftovers).toEqual([]);
    }
    // Nothing but Redis was shared: the workers wrote no result file of their own.
    for (let i = 1; i <= LINKS.length; i++)
      expect(existsSync(path.join(tmp.dir, `worker-data-${i}`, 'scan_results.jsonl'))).toBe(false);
  }, 240_000);
});
