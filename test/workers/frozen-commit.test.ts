import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePing, validateQuarantineRecord } from '../../src/core/contract/index.js';
import { GitCloner, type GitClonerOptions } from '../../src/workers/clone/cloner.js';
import { DEFAULT_SPARSE_PATTERNS } from '../../src/workers/clone/sparse-patterns.js';
import { Workspace } from '../../src/workers/clone/workspace.js';
import type { ScanJobData, ScanJobResult } from '../../src/workers/job-data.js';
import { type JobDeps, processScanJob } from '../../src/workers/process-job.js';
import { ProcessScannerRunner } from '../../src/workers/scan/scanner-runner.js';
import { GitRepoFactory, git } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, fakeScanner } from './helpers.js';

// Issue #13 point 4: the worker scans exactly the commit the manifest froze, over the real
// smart-HTTP server, which (like GitHub) serves any commit reachable from a ref by id.
const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
const work = tempDir('stratum-frozen');
let workspace: Workspace;

beforeAll(async () => {
  await server.start();
  workspace = (await Workspace.open(work.dir)).workspace;
});

afterAll(async () => {
  await server.stop();
  await workspace.close();
  repos.cleanup();
  work.cleanup();
});

/** A served repository whose served config allows only reachable commits by id (GitHub's rule). */
function createServed(name: string, files: Record<string, string>): string {
  const bare = repos.create(name, { files });
  git(['config', '--unset', 'uploadpack.allowAnySHA1InWant'], bare);
  git(['config', 'uploadpack.allowReachableSHA1InWant', 'true'], bare);
  return repos.head(name);
}

function cloner(o: Partial<GitClonerOptions> = {}): GitCloner {
  return new GitCloner({
    allowLocalUrls: true,
    timeoutMs: 20_000,
    lean: true,
    sparsePatterns: DEFAULT_SPARSE_PATTERNS,
    ...o,
  });
}

function jobDir(): string {
  const d = path.join(work.dir, randomBytes(4).toString('hex'));
  mkdirSync(d);
  return d;
}

function deps(o: Partial<JobDeps> = {}): JobDeps {
  return {
    cloner: cloner(),
    scanner: new ProcessScannerRunner(
      { command: fakeScanner('valid'), prefixArgs: [], description: 'valid' },
      { timeoutMs: 20_000, maxStdoutBytes: 4 * 1024 * 1024 },
    ),
    workspace,
    allowLocalUrls: true,
    maxRepoSizeKb: 100_000,
    scannerVersionForFailures: 'test',
    secrets: [],
    ...o,
  };
}

function data(name: string, extra: Partial<ScanJobData> = {}): ScanJobData {
  return {
    repo_full_name: name,
    repo_url: server.url(name),
    repo_hash: 'abc123',
    selection_stratum: 'crewai_active',
    github_size_kb: 10,
    ...extra,
  };
}

const ctx = { jobId: 'job', attempt: 1, maxAttempts: 1 };

function pingOf(r: ScanJobResult) {
  if (r.kind !== 'ping') throw new Error(`expected a ping, got ${JSON.stringify(r).slice(0, 300)}`);
  expect(validatePing(r.ping).ok).toBe(true);
  return r.ping;
}

describe('the clone fetches exactly the frozen commit', () => {
  for (const lean of [true, false]) {
    it(`a repository pushed to after discovery is checked out at the frozen commit (${lean ? 'lean' : 'plain'} clone)`, async () => {
      const name = `acme/pushed-${lean ? 'lean' : 'plain'}`;
      const frozen = createServed(name, { 'app/main.py': 'VERSION = "frozen"\n' });
      const later = repos.push(name, { 'app/main.py': 'VERSION = "later"\n' });
      expect(later).not.toBe(frozen);
      const dir = jobDir();
      const r = await cloner({ lean }).clone({
        url: server.url(name),
        dir,
        maxBytes: 50_000_000,
        commit: frozen,
      });
      expect(r).toMatchObject({ ok: true, commit: frozen });
      expect(readFileSync(path.join(dir, 'repo/app/main.py'), 'utf8')).toContain('frozen');
      // Shallow: the one commit, nothing of the history after it.
      expect(git(['rev-list', '--count', 'HEAD'], path.join(dir, 'repo')).trim()).toBe('1');
      // Without a frozen commit, the default branch head as it is now.
      const headDir = jobDir();
      const head = await cloner({ lean }).clone({
        url: server.url(name),
        dir: headDir,
        maxBytes: 50_000_000,
      });
      expect(head).toMatchObject({ ok: true, commit: later });
      expect(readFileSync(path.join(headDir, 'repo/app/main.py'), 'utf8')).toContain('later');
    });
  }

  it('a commit the remote no longer has (force-push + gc) fails as commit_missing, not retried', async () => {
    const name = 'acme/rewritten';
    const frozen = createServed(name, { 'app/main.py': 'x = 1\n' });
    repos.push(name, { 'app/main.py': 'x = 2\n' }, { force: true });
    expect(repos.hasObject(name, frozen)).toBe(false);
    const r = await cloner().clone({
      url: server.url(name),
      dir: jobDir(),
      maxBytes: 50_000_000,
      commit: frozen,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('commit_missing');
    expect(r.transient).toBe(false);
    expect(r.detail).toContain(`commit ${frozen}`);
    expect(r.detail).toContain('not on the remote any more');
  });
});

describe('every row records the commit it describes', () => {
  it('a success ping scanned at the frozen commit records it (commit_source head_sha)', async () => {
    const name = 'acme/frozen-scan';
    const frozen = createServed(name, AGENT_REPO);
    repos.push(name, { 'README.md': 'later\n' });
    const p = pingOf(await processScanJob(data(name, { head_sha: frozen }), ctx, deps()));
    expect(p.scan_status).toBe('success');
    expect(p.commit_sha).toBe(frozen);
    expect(p.commit_source).toBe('head_sha');
    expect(p.frozen_head_sha).toBeUndefined();
  });

  it('a row whose manifest froze no commit records the default branch head it scanned', async () => {
    const name = 'acme/reference-row';
    createServed(name, AGENT_REPO);
    const head = repos.push(name, { 'README.md': 'later\n' });
    const p = pingOf(await processScanJob(data(name), ctx, deps()));
    expect(p.commit_sha).toBe(head);
    expect(p.commit_source).toBe('default_branch');
  });

  it('a vanished commit is a failed row with its own reason and the commit it asked for', async () => {
    const name = 'acme/vanished';
    const frozen = createServed(name, AGENT_REPO);
    repos.push(name, AGENT_REPO, { force: true });
    const p = pingOf(await processScanJob(data(name, { head_sha: frozen }), ctx, deps()));
    expect(p.scan_status).toBe('failed');
    expect(p.failure_reason).toBe('commit_missing');
    expect(p.failure_detail).toContain(frozen);
    expect(p.commit_sha).toBe(frozen);
    expect(p.commit_source).toBe('head_sha');
  });

  it('with allow-moved-head the default branch is scanned and the row says so', async () => {
    const name = 'acme/moved';
    const frozen = createServed(name, AGENT_REPO);
    const head = repos.push(name, AGENT_REPO, { force: true });
    const p = pingOf(
      await processScanJob(data(name, { head_sha: frozen }), ctx, deps({ allowMovedHead: true })),
    );
    expect(p.scan_status).toBe('success');
    expect(p.commit_sha).toBe(head);
    expect(p.commit_source).toBe('moved_head');
    expect(p.frozen_head_sha).toBe(frozen);
  });

  it('a failure before any clone records the frozen commit; a quarantine record records the scanned one', async () => {
    const frozen = 'a'.repeat(40);
    const tooLarge = pingOf(
      await processScanJob(data('acme/huge', { head_sha: frozen, github_size_kb: 10_000_000 }), ctx, deps()),
    );
    expect(tooLarge).toMatchObject({
      failure_reason: 'too_large',
      commit_sha: frozen,
      commit_source: 'head_sha',
    });

    const name = 'acme/wrong-output';
    const commit = createServed(name, AGENT_REPO);
    const r = await processScanJob(
      data(name, { head_sha: commit }),
      ctx,
      deps({
        scanner: new ProcessScannerRunner(
          { command: fakeScanner('invariants'), prefixArgs: [], description: 'invariants' },
          { timeoutMs: 20_000, maxStdoutBytes: 4 * 1024 * 1024 },
        ),
      }),
    );
    expect(r.kind).toBe('quarantine');
    if (r.kind !== 'quarantine') return;
    expect(r.record).toMatchObject({ commit_sha: commit, commit_source: 'head_sha' });
    expect(validateQuarantineRecord(r.record).ok).toBe(true);
  });

  it('a head_sha that is not a commit id never reaches git', async () => {
    const p = pingOf(
      await processScanJob(data('acme/hostile', { head_sha: '--upload-pack=touch /tmp/x' }), ctx, deps()),
    );
    expect(p.failure_reason).toBe('clone_error');
    expect(p.failure_detail).toContain('head_sha is not a 40-hex commit id');
  });
});
