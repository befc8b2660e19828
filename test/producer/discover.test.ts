import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '../../src/core/command.js';
import { validateManifestRecord } from '../../src/core/contract/index.js';
import type { CheckpointState } from '../../src/producer/discover/checkpoint.js';
import type { DiscoveryLog } from '../../src/producer/discover/discovery-log.js';
import { defaultStrataFile } from '../../src/producer/discover/strata.js';
import {
  type FakeGitHub,
  type FakeRepo,
  generatePopulation,
  startFakeGitHub,
} from '../support/fake-github/index.js';
import { tempDir } from '../support/tmp.js';
import {
  allFileText,
  discoverInProcess,
  fakeEnv,
  type ManifestRow,
  readManifest,
  TOKEN_A,
  TOKEN_B,
  TOKEN_C,
  writeStrata,
} from './discover-helpers.js';

// Real HTTP against the fake GitHub API on loopback; Octokit and its plugins are not mocked.
const POPULATION = generatePopulation({
  size: 22_000,
  seed: 42,
  hotDays: [{ day: '2025-03-10', count: 1500, words: 'langgraph agent' }],
});

let fake: FakeGitHub;
const tmp = tempDir('discover-test');

beforeAll(async () => {
  fake = await startFakeGitHub({ population: POPULATION, tokens: [TOKEN_A, TOKEN_B, TOKEN_C] });
});

afterAll(async () => {
  await fake.stop();
  tmp.cleanup();
});

/** Three strata: a hot day split by stars, a subsumed query, sampling, overlaps across strata. */
const SUBSET_STRATA = `seed: 5
strata:
  - name: langgraph
    target: 3000
    reserve_factor: 0.2
    queries: [langgraph, langgraph agent]
  - name: crewai
    target: 6000
    queries: [crewai]
  - name: pool
    target: 10000
    queries: [llm agent, autonomous agent]
`;

let subsetRun:
  | Promise<{
      strataFile: string;
      manifest: ManifestRow[];
      log: DiscoveryLog;
      dataDir: string;
      printed: string;
    }>
  | undefined;

/** The fault-free, uninterrupted run of SUBSET_STRATA (computed once). */
function subsetReference() {
  subsetRun ??= (async () => {
    const strataFile = await writeStrata(tmp.dir, 'subset.yaml', SUBSET_STRATA);
    const run = await discoverInProcess(fakeEnv(fake), path.join(tmp.dir, 'subset-clean'), { strataFile });
    const manifest = await readManifest(path.join(tmp.dir, 'subset-clean', 'repo_manifest.jsonl'));
    return {
      strataFile,
      manifest,
      log: run.outcome.log!,
      dataDir: path.join(tmp.dir, 'subset-clean'),
      printed: run.printed,
    };
  })();
  return subsetRun;
}

const withoutTimestamps = (rows: ManifestRow[]) => rows.map(({ discovered_at: _ignored, ...rest }) => rest);

// Generous timeouts: each test makes hundreds of real HTTP calls, and CI machines are shared.
describe('discover against the fake GitHub API', { timeout: 180_000 }, () => {
  let reference: ManifestRow[];
  let referenceLog: DiscoveryLog;

  it('finds 100% of a query with more than 8,000 matches, within the request goal', async () => {
    const truth = fake.matching('langchain fork:true');
    expect(truth.length).toBeGreaterThanOrEqual(8000);
    const dataDir = path.join(tmp.dir, 'recall');
    const strataFile = await writeStrata(
      tmp.dir,
      'recall.yaml',
      'seed: 1\nstrata:\n  - name: everything_langchain\n    target: 100000\n    queries: [langchain]\n',
    );
    fake.resetStats();
    const run = await discoverInProcess(fakeEnv(fake), dataDir, { strataFile, includeArchived: true });
    const log = run.outcome.log!;

    // Every matching repository was fetched: the ledger's leaf slices add up to the truth…
    expect(log.queries[0]!.fetched).toBe(truth.length);
    expect(log.queries[0]!.estimated_recall).toBe(1);
    expect(log.ledger.some((e) => e.status === 'split')).toBe(true);
    // …and every one of them is in the manifest unless a rule removed it.
    const manifest = await readManifest(path.join(dataDir, 'repo_manifest.jsonl'));
    const names = new Set(manifest.map((r) => r.repo_full_name));
    const missing = truth.filter((r) => !names.has(r.fullName));
    expect(missing.every((r) => r.isFork || r.defaultBranch === null)).toBe(true);
    expect(missing.length).toBe(log.counts!.forks_removed + log.counts!.excluded.empty);
    expect(manifest.every((r) => truth.some((t) => t.fullName === r.repo_full_name))).toBe(true);

    // Requests: what the fake served is what the log counts, and within 1.2 × ⌈n/100⌉ + probes.
    expect(fake.stats.requests).toBe(log.api.requests);
    const goal = 1.2 * Math.ceil(truth.length / 100) + log.api.calls.probe;
    expect(log.api.calls.probe + log.api.calls.page).toBeLessThanOrEqual(goal);
    expect(log.request_goal.within_goal).toBe(true);
    expect(fake.stats.byRoute['POST /graphql']).toBe(log.api.calls.page);
  });

  it('re-queries slices that came back short, and ends although the counts keep moving', async () => {
    const truth = new Set(fake.matching('crewai fork:true').map((r) => r.fullName));
    const strataFile = await writeStrata(
      tmp.dir,
      'moving.yaml',
      'strata:\n  - name: crew\n    target: 100000\n    queries: [crewai]\n',
    );
    // Pages of the same query without faults: the 'crewai' stratum of the reference run.
    const cleanPages = (await subsetReference()).log.ledger
      .filter((e) => e.stratum === 'crewai')
      .reduce((sum, e) => sum + e.pages, 0);
    for (const [label, faults] of [
      ['incomplete', { incompleteRate: 0.1, countJitter: 0 }],
      ['moving', { incompleteRate: 0, countJitter: 0.05 }],
    ] as const) {
      Object.assign(fake.faults, faults);
      let run: Awaited<ReturnType<typeof discoverInProcess>>;
      try {
        run = await discoverInProcess(fakeEnv(fake), path.join(tmp.dir, label), {
          strataFile,
          includeArchived: true,
        });
      } finally {
        Object.assign(fake.faults, { incompleteRate: 0, countJitter: 0 });
      }
      const log = run.outcome.log!;
      if (label === 'incomplete') {
        expect(log.ledger.some((e) => e.attempts > 1)).toBe(true);
        expect(log.ledger.some((e) => e.incomplete_probes > 0)).toBe(true);
        // Only the pages that came back short are fetched again, not whole slices.
        expect(log.api.calls.page).toBeLessThan(cleanPages * 1.15);
      }
      expect(log.queries[0]!.fetched).toBe(truth.size);
      const manifest = await readManifest(path.join(tmp.dir, label, 'repo_manifest.jsonl'));
      expect(manifest.every((r) => truth.has(r.repo_full_name))).toBe(true);
      expect(manifest.length).toBe(truth.size - log.counts!.forks_removed - log.counts!.excluded.empty);
      // Re-queries are bounded: never more than 5 fetches of a slice.
      expect(log.ledger.every((e) => e.attempts <= 5)).toBe(true);
      // A slice left short is named in the printed summary, never only in the log.
      const short = log.ledger.filter((e) => e.status === 'short').length;
      if (short > 0) expect(run.printed).toContain(`warning: ${short} slice(s) still returned fewer`);
      else expect(run.printed).not.toContain('warning:');
    }
  });

  it('writes a frozen, schema-valid manifest and its log, and removes the checkpoint', async () => {
    const { manifest, log, dataDir, printed } = await subsetReference();
    reference = manifest;
    referenceLog = log;
    expect(reference.length).toBe(log.manifest!.records);
    expect(reference.length).toBeGreaterThan(5_000);
    const bytes = await fs.readFile(path.join(dataDir, 'repo_manifest.jsonl'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(log.manifest!.sha256);
    for (const row of reference) expect(validateManifestRecord(row).ok).toBe(true);
    // A single day over the cap was split by stars; a query covered by another was skipped.
    expect(log.ledger.some((e) => e.stars_range !== null && e.status === 'done')).toBe(true);
    expect(log.ledger.some((e) => e.status === 'subsumed')).toBe(true);
    expect(log.queries.every((q) => q.estimated_recall === null || q.estimated_recall === 1)).toBe(true);
    expect(log.request_goal.within_goal).toBe(true);
    // Primary rows up to the target, then the reserve (target × 0.2), the rest sampled out.
    expect(log.counts!.per_stratum.langgraph).toMatchObject({
      target: 3000,
      primary: 3000,
      reserve: 600,
      selected: 3600,
      shortfall: 0,
    });
    expect(log.counts!.per_stratum.langgraph!.sampled_out).toBe(
      log.counts!.per_stratum.langgraph!.found - 3600,
    );
    const reserveRows = reference.filter((r) => r.selection_stratum === 'langgraph' && r.reserve === true);
    expect(reserveRows.map((r) => r.reserve_rank).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: 600 }, (_, i) => i + 1),
    );
    expect(log.counts!.per_stratum.pool!.shortfall).toBeGreaterThan(0);
    await expect(fs.access(path.join(dataDir, 'discovery_checkpoint.json'))).rejects.toThrow();
    expect(printed).toContain('discovery complete');
  });

  it('keeps one record per repository, the first stratum, and a query that really finds it', () => {
    const strataOrder = ['langgraph', 'crewai', 'pool'];
    const names = reference.map((r) => r.repo_full_name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    const multi = reference.filter((r) => r.matched_strata.length > 1);
    expect(multi.length).toBeGreaterThan(100);
    for (const row of reference) {
      expect(row.matched_strata[0]).toBe(row.selection_stratum);
      const order = row.matched_strata.map((s) => strataOrder.indexOf(s));
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
    // The fake confirms that each record's discovery_query (with its slice) matches it.
    for (const row of reference.slice(0, 400).concat(multi.slice(0, 200))) {
      expect(fake.matching(row.discovery_query).some((r) => r.fullName === row.repo_full_name)).toBe(true);
    }
    const byName = new Map(POPULATION.map((r) => [r.fullName, r]));
    for (const row of reference) {
      const truth = byName.get(row.repo_full_name)!;
      expect(row.github_stars).toBe(truth.stars);
      expect(row.head_sha).toBe(truth.headSha);
      expect(row.is_archived).toBe(false);
    }
  });

  it('applies the fork rule: no fork of a discovered parent, at most one fork per parent (most stars)', () => {
    const names = new Set(reference.map((r) => r.repo_full_name.toLowerCase()));
    const forks = reference.filter((r) => r.is_fork);
    // Enough forks to exercise the rule (20 with this population: forks of discovered forks go too).
    expect(forks.length).toBeGreaterThan(10);
    const parents = new Map<string, number>();
    for (const fork of forks) {
      expect(fork.fork_parent).not.toBeNull();
      expect(names.has(fork.fork_parent!.toLowerCase())).toBe(false);
      parents.set(fork.fork_parent!, (parents.get(fork.fork_parent!) ?? 0) + 1);
    }
    expect([...parents.values()].every((n) => n === 1)).toBe(true);
    // The kept fork has the most stars among the eligible forks of its parent that were found.
    const found = new Set(
      referenceLog.ledger
        .filter((e) => e.status === 'done')
        .flatMap((e) => fake.matching(e.slice_query).map((r) => r.fullName)),
    );
    const eligible = (r: FakeRepo) =>
      found.has(r.fullName) && !r.isArchived && !r.isMirror && r.defaultBranch;
    const byName = new Map(POPULATION.map((r) => [r.fullName.toLowerCase(), r]));
    for (const fork of forks) {
      const siblings = POPULATION.filter((r) => r.isFork && r.parent === fork.fork_parent && eligible(r));
      expect(Math.max(...siblings.map((s) => s.stars))).toBe(fork.github_stars);
      // Its parent was not discovered either, not even as a fork the rule removed in turn.
      const parent = byName.get(fork.fork_parent!.toLowerCase());
      expect(parent && eligible(parent), fork.repo_full_name).toBeFalsy();
    }
  });

  it('runs a slice again when its requests give up after their retries: same manifest', async () => {
    const { strataFile, manifest: expected } = await subsetReference();
    const dataDir = path.join(tmp.dir, 'requeue');
    fake.resetStats();
    // Half the requests fail: some exhaust the client's own retries (1 + 3 attempts).
    Object.assign(fake.faults, { error502Rate: 0.5 });
    let run: Awaited<ReturnType<typeof discoverInProcess>>;
    try {
      run = await discoverInProcess(fakeEnv(fake, [TOKEN_A]), dataDir, { strataFile });
    } finally {
      Object.assign(fake.faults, { error502Rate: 0 });
    }
    const manifest = await readManifest(path.join(dataDir, 'repo_manifest.jsonl'));
    expect(withoutTimestamps(manifest)).toEqual(withoutTimestamps(expected));
    expect(run.outcome.log!.api.errors['502']).toBeGreaterThan(0);
  });

  it('survives rate limits, 502s, resets and incomplete results with 3 tokens: same manifest', async () => {
    const { strataFile, manifest: expected, log: cleanLog } = await subsetReference();
    expect(cleanLog.counts!.per_stratum.langgraph!.sampled_out).toBeGreaterThan(0);

    const dataDir = path.join(tmp.dir, 'faults');
    fake.resetStats();
    Object.assign(fake.faults, {
      rateLimitEvery: 25,
      secondaryRateLimitRate: 0.03,
      secondaryWithoutRetryAfterShare: 0.3,
      error502Rate: 0.04,
      connectionResetRate: 0.02,
      incompleteRate: 0.03,
    });
    let run: Awaited<ReturnType<typeof discoverInProcess>>;
    try {
      run = await discoverInProcess(fakeEnv(fake, [TOKEN_A, TOKEN_B, TOKEN_C]), dataDir, { strataFile });
    } finally {
      Object.assign(fake.faults, {
        rateLimitEvery: 0,
        secondaryRateLimitRate: 0,
        error502Rate: 0,
        connectionResetRate: 0,
        incompleteRate: 0,
      });
    }
    const log = run.outcome.log!;
    const manifest = await readManifest(path.join(dataDir, 'repo_manifest.jsonl'));
    expect(withoutTimestamps(manifest)).toEqual(withoutTimestamps(expected));

    expect(fake.stats.faults.primary_rate_limit).toBeGreaterThan(0);
    expect(fake.stats.faults.secondary_rate_limit).toBeGreaterThan(0);
    expect(log.api.rate_limit_sleeps.primary).toBeGreaterThan(0);
    expect(log.api.rate_limit_sleeps.secondary).toBeGreaterThan(0);
    expect(log.api.retries).toBeGreaterThan(0);
    expect(log.api.errors['502']).toBeGreaterThan(0);
    expect(fake.stats.requests).toBe(log.api.requests);
    // One serial stream per token, all three used.
    expect(fake.stats.maxInFlightPerToken).toBe(1);
    expect(Object.keys(log.api.tokens).sort()).toEqual(['token-1', 'token-2', 'token-3']);
    for (const usage of Object.values(log.api.tokens)) {
      expect(usage.requests).toBeGreaterThan(5);
      expect(usage.budget.graphql?.remaining).toBeTypeOf('number');
    }

    // No token in any output: files, log lines, printed summary.
    const everything = (await allFileText(dataDir)) + run.logText + run.printed;
    for (const token of [TOKEN_A, TOKEN_B, TOKEN_C]) expect(everything).not.toContain(token);
    expect(run.logText).toContain('rate limit');
  });

  it('samples a stratum over its target deterministically with the seed, and records shortfalls', async () => {
    const strata = (seed: number) =>
      `seed: ${seed}\nstrata:\n  - name: crew\n    target: 150\n    reserve_factor: 0.2\n    queries: [agno agent]\n` +
      '  - name: smol\n    target: 100000\n    queries: [smolagents]\n';
    const fileA = await writeStrata(tmp.dir, 'sample-a.yaml', strata(7));
    const fileB = await writeStrata(tmp.dir, 'sample-b.yaml', strata(8));
    const first = await discoverInProcess(fakeEnv(fake), path.join(tmp.dir, 's1'), { strataFile: fileA });
    const again = await discoverInProcess(fakeEnv(fake), path.join(tmp.dir, 's2'), { strataFile: fileA });
    const other = await discoverInProcess(fakeEnv(fake), path.join(tmp.dir, 's3'), { strataFile: fileB });
    const crew = (run: typeof first) => run.outcome.log!.counts!.per_stratum.crew!;
    expect(crew(first)).toMatchObject({ primary: 150, reserve: 30, selected: 180 });
    expect(crew(first).sampled_out).toBe(crew(first).eligible - 180);
    expect(first.outcome.log!.counts!.per_stratum.smol!.shortfall).toBeGreaterThan(0);
    expect(first.outcome.log!.counts!.sampling_seed).toBe('7');
    const names = async (dir: string) =>
      (await readManifest(path.join(tmp.dir, dir, 'repo_manifest.jsonl')))
        .filter((r) => r.selection_stratum === 'crew')
        .map((r) => r.repo_full_name);
    expect(await names('s1')).toEqual(await names('s2'));
    expect(again.outcome.log!.manifest!.sha256).not.toBe(undefined);
    expect(await names('s1')).not.toEqual(await names('s3'));
    expect(first.outcome.log!.manifest!.sha256).not.toBe(other.outcome.log!.manifest!.sha256);
  });

  it('refuses to run without a token, and with an unknown stratum', async () => {
    const env = { GITHUB_API_URL: fake.url };
    await expect(
      discoverInProcess(env, path.join(tmp.dir, 'no-token'), { strataFile: defaultStrataFile() }),
    ).rejects.toThrow(/GITHUB_TOKEN is not set/);
    await expect(
      discoverInProcess(fakeEnv(fake), path.join(tmp.dir, 'bad-name'), {
        strataFile: defaultStrataFile(),
        stratum: 'nope',
      }),
    ).rejects.toThrow(CommandError);
  });

  it('resumes after kill -9 mid-run with the same manifest, keeping what was found before the kill', async () => {
    const cli = path.resolve('dist/src/cli.js');
    if (!existsSync(cli))
      throw new Error('dist/src/cli.js is missing: run `npm run build` first (npm test does)');
    const { strataFile, manifest: expected, log: cleanLog } = await subsetReference();
    const dataDir = path.join(tmp.dir, 'killed');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp.dir, ...fakeEnv(fake) };
    const checkpointFile = path.join(dataDir, 'discovery_checkpoint.json');

    fake.faults.latencyMs = 10;
    const first = spawnCli(cli, ['--data-dir', dataDir, 'discover', '--strata', strataFile], env);
    let finishedBeforeKill = 0;
    try {
      for (let i = 0; i < 1200 && finishedBeforeKill < 4; i++) {
        await sleep(50);
        finishedBeforeKill = await finishedSlices(checkpointFile);
      }
    } finally {
      first.child.kill('SIGKILL');
      fake.faults.latencyMs = 0;
    }
    const killed = await first.exit;
    expect(killed.signal).toBe('SIGKILL');
    expect(finishedBeforeKill).toBeGreaterThanOrEqual(4);
    expect(existsSync(path.join(dataDir, 'repo_manifest.jsonl'))).toBe(false);
    const foundBeforeKill = await foundRepos(checkpointFile);
    expect(foundBeforeKill.size).toBeGreaterThan(0);

    // Without --resume, an unfinished run is not silently overwritten.
    const refused = await spawnCli(cli, ['--data-dir', dataDir, 'discover', '--strata', strataFile], env)
      .exit;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--resume');

    fake.resetStats();
    const resumed = await spawnCli(
      cli,
      ['--data-dir', dataDir, 'discover', '--strata', strataFile, '--resume'],
      env,
    ).exit;
    expect(resumed.stderr).not.toMatch(/error/i);
    expect(resumed.code).toBe(0);
    const manifest = await readManifest(path.join(dataDir, 'repo_manifest.jsonl'));
    expect(withoutTimestamps(manifest)).toEqual(withoutTimestamps(expected));
    // Finished slices were not fetched again…
    expect(fake.stats.requests).toBeLessThan(cleanLog.api.requests);
    // …and what they found kept its discovery time.
    let kept = 0;
    for (const row of manifest) {
      const at = foundBeforeKill.get(`${row.repo_full_name}|${row.discovery_query}`);
      if (at === undefined) continue;
      expect(row.discovered_at).toBe(at);
      kept++;
    }
    expect(kept).toBeGreaterThan(0);
    const log = JSON.parse(
      await fs.readFile(path.join(dataDir, 'discovery_log.json'), 'utf8'),
    ) as DiscoveryLog;
    expect(log.resumed).toBe(true);
    expect(log.manifest!.records).toBe(manifest.length);
    const outputs = killed.stdout + killed.stderr + refused.stderr + resumed.stdout + resumed.stderr;
    expect(outputs + (await allFileText(dataDir))).not.toContain(TOKEN_A);
  });
});

interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnCli(cli: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<CliExit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exit };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function finishedSlices(checkpointFile: string): Promise<number> {
  try {
    const state = JSON.parse(await fs.readFile(checkpointFile, 'utf8')) as CheckpointState;
    return Object.values(state.ledger).filter((e) => e.status === 'done' && e.fetched_count > 0).length;
  } catch {
    return 0; // not written yet
  }
}

/** `name|slice query` → discovered_at of every repository a finished slice recorded. */
async function foundRepos(checkpointFile: string): Promise<Map<string, string>> {
  const state = JSON.parse(await fs.readFile(checkpointFile, 'utf8')) as CheckpointState;
  const found = new Map<string, string>();
  const text = await fs.readFile(`${checkpointFile}.found.jsonl`, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const { k, g, t, r } = JSON.parse(line) as { k: string; g: string; t: string; r: { fullName: string } };
    const entry = state.ledger[k];
    if (entry?.generation === g) found.set(`${r.fullName}|${entry.slice_query}`, t);
  }
  return found;
}
