import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PopulationMember, planPopulation } from '../../src/demo/population.js';
import {
  type CliRun,
  dumpRedis,
  fakeReposFor,
  runCli,
  servePopulation,
  writeStrataFile,
} from '../support/e2e-population.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';
import type { GitHttpServer } from '../support/git-server.js';
import { type PrivateRedis, startRedisServer } from '../support/redis-server.js';
import { tempDir } from '../support/tmp.js';

/**
 * The whole pipeline at CI size (issue #6 §1 and §5): a seeded population of real git
 * repositories served over loopback HTTP → the fake GitHub API whose repositories point at
 * them → `discover` → `scan` with the built-in scanner → `audit --split`, all through the
 * built CLI, against a private password-protected Redis, with a recognisable fake token.
 * STRATUM_E2E_REPOS sets the size (default 300, the CI size). Where the time goes at 300
 * (phase timings are printed): the population is written by one `git fast-import` into a
 * shared object store (~1 s); discovery is a few seconds; the scan is one lean clone over HTTP
 * plus one built-in scanner process (~0.5 CPU-s of node start-up and parsing) per repository,
 * so it is bound by the 2 CPUs and runs SCAN_SLOTS jobs at a time to keep both busy while
 * clones wait on the network and scanners on the disk; the audit takes seconds.
 */
const REPOS = Number(process.env.STRATUM_E2E_REPOS ?? 300);
const SCAN_SLOTS = 6;
/** Bounds per command and for the whole set-up, generous for a loaded 2-core machine. */
const SCAN_TIMEOUT_MS = Math.max(240_000, REPOS * 2_000);
const SETUP_TIMEOUT_MS = SCAN_TIMEOUT_MS + 300_000;
const TOKEN = 'ghp_E2eFakeTokenDoNotLeak0123456789abcd';
const REDIS_PASSWORD = 'redis-E2e-Passw0rd-DoNotLeak';
const SECRETS = [TOKEN, REDIS_PASSWORD];
const PREFIX = 'e2e';

const tmp = tempDir('stratum-e2e');
const dataDir = path.join(tmp.dir, 'data');
let members: PopulationMember[];
let git: GitHttpServer;
let github: FakeGitHub;
let redis: PrivateRedis;
let watcher: Redis;
const runs: Record<string, CliRun> = {};
/** Every distinct key/value seen in Redis during the run (sampled every second). */
const redisDumps = new Set<string>();
let jobPayloadsSeen = 0;
const phaseMs: Record<string, number> = {};

function jsonl(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

beforeAll(async () => {
  const started = Date.now();
  const planned = planPopulation({ root: path.join(tmp.dir, 'population'), count: REPOS, seed: 11 });
  ({ server: git, members } = await servePopulation(planned, path.join(tmp.dir, 'serve')));
  phaseMs.population = Date.now() - started;
  redis = await startRedisServer({
    dir: path.join(tmp.dir, 'redis'),
    appendonly: true,
    requirepass: REDIS_PASSWORD,
  });
  github = await startFakeGitHub({
    population: fakeReposFor(members),
    tokens: [TOKEN],
    repoUrl: (r) => git.url(r.fullName),
  });
  const strata = path.join(tmp.dir, 'strata.yaml');
  writeStrataFile(strata, members);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp.dir,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    STRATUM_GITHUB_MIN_INTERVAL_MS: '0',
    STRATUM_GITHUB_WAIT_SCALE_MS: '10',
    REDIS_URL: redis.url,
    STRATUM_QUEUE_PREFIX: PREFIX,
    STRATUM_DATA_DIR: dataDir,
    STRATUM_WORK_DIR: path.join(tmp.dir, 'work'),
    STRATUM_ALLOW_LOCAL_URLS: '1',
    STRATUM_CLONE_TIMEOUT_MS: '60000',
    STRATUM_SCAN_TIMEOUT_MS: '60000',
    STRATUM_RETRY_BACKOFF_MS: '200',
    STRATUM_LOG_LEVEL: 'info',
  };
  runs.discover = await runCli(['discover', '--strata', strata], env);
  watcher = redis.client();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const { key, value } of await dumpRedis(watcher, PREFIX).catch(() => [])) {
        const entry = `${key} ${value}`;
        if (redisDumps.has(entry)) continue;
        redisDumps.add(entry);
        if (value.includes('repo_url')) jobPayloadsSeen++;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  runs.scan = await runCli(['scan', '--workers', String(SCAN_SLOTS)], env, SCAN_TIMEOUT_MS);
  watching = false;
  await watch;
  for (const { key, value } of await dumpRedis(watcher, PREFIX)) redisDumps.add(`${key} ${value}`);
  runs.audit = await runCli(['audit', '--split'], env);
  process.stdout.write(
    `e2e ${REPOS} repos: population ${phaseMs.population} ms, discover ${runs.discover.ms} ms, ` +
      `scan ${runs.scan.ms} ms (${SCAN_SLOTS} slots), audit ${runs.audit.ms} ms\n`,
  );
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  watcher?.disconnect();
  await redis?.stop();
  await git?.stop();
  await github?.stop();
  tmp.cleanup();
});

describe(`end to end: ${REPOS} repositories, discover → scan → audit --split`, { timeout: 60_000 }, () => {
  it('every command succeeds', () => {
    for (const [name, run] of Object.entries(runs))
      expect({ name, code: run.code, tail: run.code ? run.stderr.slice(-1500) : '' }).toEqual({
        name,
        code: 0,
        tail: '',
      });
  });

  it('discovery finds every repository of the population, once', () => {
    const manifest = jsonl(path.join(dataDir, 'repo_manifest.jsonl'));
    expect(manifest.map((r) => r.repo_full_name).sort()).toEqual(members.map((m) => m.fullName).sort());
    for (const row of manifest) expect(row.repo_url).toBe(git.url(row.repo_full_name as string));
  });

  it('results + quarantine hold every manifest repository exactly once', () => {
    const results = jsonl(path.join(dataDir, 'scan_results.jsonl'));
    const quarantine = jsonl(path.join(dataDir, 'quarantine.jsonl'));
    const names = [
      ...results.map((r) => r.repo_full_name as string),
      ...quarantine.map((q) => (q.ping as Record<string, unknown>).repo_full_name as string),
    ];
    expect(names.length).toBe(new Set(names).size);
    expect(names.sort()).toEqual(members.map((m) => m.fullName).sort());
  });

  it('missing repositories are failed/clone_404 rows; every other repository was scanned', () => {
    const byName = new Map(jsonl(path.join(dataDir, 'scan_results.jsonl')).map((r) => [r.repo_full_name, r]));
    const missing = members.filter((m) => m.expect === 'clone_404');
    expect(missing.length).toBeGreaterThan(0);
    for (const m of missing)
      expect(byName.get(m.fullName)).toMatchObject({ scan_status: 'failed', failure_reason: 'clone_404' });
    for (const m of members.filter((x) => x.expect === 'scan')) {
      const row = byName.get(m.fullName);
      if (!row) continue; // quarantined: counted by the exactly-once test
      expect(
        { name: m.fullName, reason: row.failure_reason },
        `${m.fullName} (${m.variant}): ${String(row.failure_detail ?? '').slice(0, 300)}`,
      ).not.toMatchObject({ reason: expect.stringMatching(/^clone_/) });
    }
  });

  it('renamed copies share the topology signature of their template', () => {
    const rows = jsonl(path.join(dataDir, 'scan_results.jsonl'));
    const hash = new Map(
      rows.map((r) => [r.repo_full_name as string, r.topology_signature_hash as string | undefined]),
    );
    let compared = 0;
    for (const copy of members.filter((m) => m.variant === 'renamed-copy')) {
      const original = members.find(
        (m) => m.variant === 'original' && m.template === copy.template && hash.get(m.fullName),
      );
      if (!original || !hash.get(copy.fullName)) continue;
      expect({ copy: copy.fullName, hash: hash.get(copy.fullName) }).toEqual({
        copy: copy.fullName,
        hash: hash.get(original.fullName),
      });
      compared++;
    }
    expect(compared).toBeGreaterThan(3);
  });

  it('junk assets are not fetched by the lean clone', () => {
    const junk = members.filter((m) => m.variant === 'junk-assets');
    expect(junk.length).toBeGreaterThan(0);
    // Each junk repository holds ~448 KiB of incompressible assets; the code is a few KiB.
    for (const m of junk)
      expect({ repo: m.fullName, bytes: git.bytesFor(m.fullName) < 64 * 1024 }).toEqual({
        repo: m.fullName,
        bytes: true,
      });
  });

  it("the audit's numbers agree with the rows; the split partitions the rows with agent content", () => {
    const rows = jsonl(path.join(dataDir, 'scan_results.jsonl'));
    const audit = JSON.parse(readFileSync(path.join(dataDir, 'audit.json'), 'utf8'));
    const volume =
      audit.sections.volume ?? audit.sections.find?.((s: { id: string }) => s.id === 'volume')?.data;
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[r.scan_status as string] = (byStatus[r.scan_status as string] ?? 0) + 1;
    expect(volume.rows).toBe(rows.length);
    for (const s of ['success', 'partial', 'empty', 'failed'])
      expect(volume.by_status[s] ?? 0).toBe(byStatus[s] ?? 0);
    expect(volume.corrupt_lines).toBe(0);
    expect(volume.manifest_repos_without_row).toBe(jsonl(path.join(dataDir, 'quarantine.jsonl')).length);
    // The split holds every accepted row with agent content (success + partial), none on both
    // sides; failed and empty rows (here at least the clone_404 ones) are in neither.
    const train = jsonl(path.join(dataDir, 'scan_results_train.jsonl')).map(
      (r) => r.repo_full_name as string,
    );
    const test = jsonl(path.join(dataDir, 'scan_results_test.jsonl')).map((r) => r.repo_full_name as string);
    expect(train.filter((n) => test.includes(n))).toEqual([]);
    const withContent = rows.filter((r) => r.scan_status === 'success' || r.scan_status === 'partial');
    expect([...train, ...test].sort()).toEqual(withContent.map((r) => r.repo_full_name as string).sort());
    expect(rows.length - withContent.length).toBeGreaterThan(0);
    expect(test.length).toBeGreaterThan(0);
  });

  it('no secret in any output file, log line, Redis key or value, or job payload', () => {
    expect(jobPayloadsSeen).toBeGreaterThan(0); // the watcher really saw queued jobs
    const haystacks: Array<[string, string]> = [];
    for (const [name, run] of Object.entries(runs))
      haystacks.push([`${name} stdout`, run.stdout], [`${name} stderr`, run.stderr]);
    for (const f of allFiles(dataDir)) haystacks.push([f, readFileSync(f).toString('latin1')]);
    if (existsSync(path.join(tmp.dir, 'work')))
      for (const f of allFiles(path.join(tmp.dir, 'work')))
        haystacks.push([f, readFileSync(f).toString('latin1')]);
    haystacks.push(['redis', [...redisDumps].join('\n')]);
    const hits = haystacks.flatMap(([where, text]) =>
      SECRETS.filter((s) => text.includes(s)).map((s) => `${where}: ${s.slice(0, 6)}…`),
    );
    expect(hits).toEqual([]);
    // The logs were really captured (a silent run would pass trivially).
    expect(runs.scan!.stderr.length + runs.discover!.stderr.length).toBeGreaterThan(100);
    expect(statSync(path.join(dataDir, 'scan_results.jsonl')).size).toBeGreaterThan(0);
  });
});
