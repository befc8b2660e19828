import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitCloner } from '../../src/workers/clone/cloner.js';
import { DEFAULT_SPARSE_PATTERNS } from '../../src/workers/clone/sparse-patterns.js';
import {
  discoverInProcess,
  fakeEnv,
  readManifest,
  TOKEN_A,
  writeStrata,
} from '../producer/discover-helpers.js';
import { type FakeGitHub, generatePopulation, startFakeGitHub } from '../support/fake-github/index.js';
import { GitRepoFactory } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { tempDir } from '../support/tmp.js';

/**
 * Network faults not covered by test/workers/clone.test.ts (404, 429, 503, hang, too large)
 * and test/producer/discover.test.ts (faults at 2–4 %): git auth required and a connection
 * reset; discovery with secondary rate limits and 5xx at 20 % of requests.
 */
const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
const work = tempDir('stratum-netfault');

function cloner(): GitCloner {
  return new GitCloner({
    allowLocalUrls: true,
    timeoutMs: 20_000,
    lean: true,
    sparsePatterns: DEFAULT_SPARSE_PATTERNS,
  });
}

function jobDir(): string {
  const d = path.join(work.dir, randomBytes(4).toString('hex'));
  mkdirSync(d);
  return d;
}

beforeAll(async () => {
  repos.create('acme/agent', { files: { 'app/main.py': 'from crewai import Agent\n' } });
  await server.start();
});

afterAll(async () => {
  await server.stop();
  repos.cleanup();
  work.cleanup();
});

describe('git faults', () => {
  it('auth required (401): a permanent failure at once, no prompt, no hang', async () => {
    server.faults.set('/acme/agent.git', { kind: 'status', status: 401 });
    const started = Date.now();
    const r = await cloner().clone({ url: server.url('acme/agent'), dir: jobDir(), maxBytes: 1e9 });
    server.faults.delete('/acme/agent.git');
    // GitHub answers 401 for private and deleted repositories: not worth a retry.
    expect(r).toMatchObject({ ok: false, code: 'clone_404', transient: false });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('connection reset: a transient clone_error (retried by the queue), then the clone succeeds', async () => {
    server.faults.set('/acme/agent.git', { kind: 'reset', times: 1 });
    const first = await cloner().clone({ url: server.url('acme/agent'), dir: jobDir(), maxBytes: 1e9 });
    expect(first).toMatchObject({ ok: false, code: 'clone_error', transient: true });
    const dir = jobDir();
    const second = await cloner().clone({ url: server.url('acme/agent'), dir, maxBytes: 1e9 });
    expect(second).toMatchObject({ ok: true });
    expect(readFileSync(path.join(dir, 'repo', 'app', 'main.py'), 'utf8')).toContain('crewai');
  });
});

describe('discovery under heavy faults', { timeout: 180_000 }, () => {
  let fake: FakeGitHub;
  const tmp = tempDir('stratum-disc20');
  const strata = `seed: 3
include_forks: true
strata:
  - name: crewai
    target: 100000
    queries:
      - crewai
  - name: autogen
    target: 100000
    queries:
      - autogen agent
`;
  beforeAll(async () => {
    fake = await startFakeGitHub({ population: generatePopulation({ size: 3000, seed: 17 }), faultSeed: 99 });
  });
  afterAll(async () => {
    await fake.stop();
    tmp.cleanup();
  });

  it('secondary rate limits and 5xx on 20 % of requests still give the full manifest', async () => {
    const strataFile = await writeStrata(tmp.dir, 'strata.yaml', strata);
    await discoverInProcess(fakeEnv(fake, [TOKEN_A]), path.join(tmp.dir, 'clean'), { strataFile });
    const clean = await readManifest(path.join(tmp.dir, 'clean', 'repo_manifest.jsonl'));
    expect(clean.length).toBeGreaterThan(100);

    fake.resetStats();
    Object.assign(fake.faults, {
      secondaryRateLimitRate: 0.1,
      secondaryWithoutRetryAfterShare: 0.3,
      error502Rate: 0.1,
    });
    const run = await discoverInProcess(fakeEnv(fake, [TOKEN_A]), path.join(tmp.dir, 'faulty'), {
      strataFile,
    });
    Object.assign(fake.faults, { secondaryRateLimitRate: 0, error502Rate: 0 });
    const faulty = await readManifest(path.join(tmp.dir, 'faulty', 'repo_manifest.jsonl'));

    const injected = (fake.stats.faults.secondary_rate_limit ?? 0) + (fake.stats.faults['502'] ?? 0);
    expect(injected / fake.stats.requests).toBeGreaterThan(0.12);
    expect(faulty.map((r) => r.repo_full_name).sort()).toEqual(clean.map((r) => r.repo_full_name).sort());
    expect(run.outcome.log!.api.retries).toBeGreaterThan(0);
  });
});
