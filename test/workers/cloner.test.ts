import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskUsage } from '../../src/workers/clone/cloner.js';
import { DEFAULT_SPARSE_PATTERNS, sparsePatternsOf } from '../../src/workers/clone/sparse-patterns.js';
import { newJobDir, testCloner } from '../support/cloner.js';
import { GitRepoFactory, git } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { tempDir } from '../support/tmp.js';

// The cloner against real repositories over file:// and the loopback smart-HTTP server: what
// lands on disk, which commit is checked out, and the failure reason when it does not work.

const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
const work = tempDir('stratum-cloner');

const cloner = testCloner;
const jobDir = () => newJobDir(work.dir);

/** Every file of the checked-out worktree (not .git), relative, sorted. */
function worktreeFiles(repo: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(repo, rel), { withFileTypes: true })) {
    if (rel === '' && e.name === '.git') continue;
    const p = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...worktreeFiles(repo, p));
    else out.push(p);
  }
  return out.sort();
}

/** One file per default sparse pattern (no other pattern matches it), and files none may fetch. */
const SCANNER_FILES: Record<string, string> = {
  'app/main.py': 'import crewai\n',
  'stubs/types.pyi': 'x: int\n',
  'nb/demo.ipynb': '{}',
  'pyproject.toml': '[project]\n',
  'setup.cfg': '[metadata]\n',
  'tox.ini': '[tox]\n',
  'poetry.lock': 'lock\n',
  'bun.lockb': 'lock',
  'requirements-dev.txt': 'pytest\n',
  'requirements.in': 'crewai\n',
  Pipfile: '[packages]\n',
  'config/agents.yaml': 'a: 1\n',
  'ci/build.yml': 'b: 1\n',
  'mcp.json': '{}',
  OAI_CONFIG_LIST: '[]',
  Dockerfile: 'FROM python\n',
  'docker/dockerfile.dev': 'FROM python\n',
  'api.Dockerfile': 'FROM python\n',
  'worker.dockerfile': 'FROM python\n',
  Jenkinsfile: 'pipeline {}\n',
  '.buildkite/steps.sh': 'echo\n',
  '.gitignore': 'node_modules/\n',
  '.env': 'A=1\n',
  '.env.example': 'A=\n',
};
const NEVER_FETCHED: Record<string, string> = {
  'docs/guide.md': '# guide\n',
  'assets/logo.png': 'png',
  'data/train.csv': 'a,b\n',
  'lib/util.js': 'x\n',
  'sub/.buildkite/nested.sh': 'echo\n',
  'notes.txt': 'n\n',
  envfile: 'x\n',
};

let frozen: string;
let later: string;
let tagId: string;

beforeAll(async () => {
  repos.create('acme/sparse', { files: { ...SCANNER_FILES, ...NEVER_FETCHED } });
  repos.create('acme/frozen', { files: { 'app/agent.py': 'v = 1\n', 'README.md': 'one\n' } });
  frozen = repos.head('acme/frozen');
  later = repos.push('acme/frozen', { 'app/agent.py': 'v = 2\n', 'app/new.py': 'x = 1\n' });
  const bare = repos.barePath('acme/frozen');
  git(['tag', '-a', '-m', 'release', 'v1', frozen], bare);
  tagId = git(['rev-parse', 'v1'], bare).trim();
  repos.create('acme/gone', { files: { 'a.py': 'x\n' } });
  await server.start();
});

afterAll(async () => {
  await server.stop();
  repos.cleanup();
  work.cleanup();
});

describe('the lean clone fetches what the scanner reads, and nothing else', () => {
  it('one file per default pattern is checked out; docs, assets, data and other code are not', async () => {
    const dir = jobDir();
    const r = await cloner().clone({ url: repos.fileUrl('acme/sparse'), dir, maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: true });
    expect(worktreeFiles(path.join(dir, 'repo'))).toEqual(Object.keys(SCANNER_FILES).sort());
  });

  it('configured patterns replace the defaults', async () => {
    const dir = jobDir();
    const patterns = sparsePatternsOf(['*.md', '/lib/']);
    const r = await cloner({ sparsePatterns: patterns }).clone({
      url: server.url('acme/sparse'),
      dir,
      maxBytes: 1e9,
    });
    expect(r.ok).toBe(true);
    expect(worktreeFiles(path.join(dir, 'repo'))).toEqual(['docs/guide.md', 'lib/util.js']);
  });

  it('no configured pattern means the defaults; a pattern that looks like an option is refused', () => {
    expect(sparsePatternsOf([])).toBe(DEFAULT_SPARSE_PATTERNS);
    expect(sparsePatternsOf(['*.py'])).toEqual(['*.py']);
    expect(() => sparsePatternsOf(['*.py', '--cone'])).toThrow(`sparse pattern "--cone" starts with '-'`);
  });
});

describe('the commit checked out', () => {
  it('without a frozen commit: the default branch head, which the outcome reports', async () => {
    const dir = jobDir();
    const started = Date.now();
    const r = await cloner().clone({ url: server.url('acme/frozen'), dir, maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: true, commit: later });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(r.durationMs).toBeLessThanOrEqual(Date.now() - started + 1);
    expect(git(['rev-parse', 'HEAD'], path.join(dir, 'repo')).trim()).toBe(later);
  });

  for (const lean of [true, false]) {
    it(`a frozen commit is fetched alone and checked out detached (${lean ? 'lean' : 'plain'})`, async () => {
      const dir = jobDir();
      const r = await cloner({ lean }).clone({
        url: server.url('acme/frozen'),
        dir,
        maxBytes: 1e9,
        commit: frozen,
      });
      expect(r).toMatchObject({ ok: true, commit: frozen });
      const repo = path.join(dir, 'repo');
      expect(worktreeFiles(repo)).toEqual(lean ? ['app/agent.py'] : ['README.md', 'app/agent.py']);
      expect(git(['rev-list', '--count', 'HEAD'], repo).trim()).toBe('1');
      expect(git(['rev-parse', '--abbrev-ref', 'HEAD'], repo).trim()).toBe('HEAD'); // detached
    });
  }

  it('a commit the remote does not have → commit_missing, naming it, not retried', async () => {
    const missing = 'f'.repeat(40);
    const r = await cloner().clone({
      url: server.url('acme/frozen'),
      dir: jobDir(),
      maxBytes: 1e9,
      commit: missing,
    });
    expect(r).toMatchObject({ ok: false, code: 'commit_missing', transient: false });
    expect(!r.ok && r.detail).toContain(`commit ${missing} (the manifest's head_sha)`);
  });

  it('an id that is not the commit checked out (an annotated tag) is refused', async () => {
    const r = await cloner({ lean: false }).clone({
      url: repos.fileUrl('acme/frozen'),
      dir: jobDir(),
      maxBytes: 1e9,
      commit: tagId,
    });
    expect(r).toMatchObject({ ok: false, code: 'clone_error', transient: false });
    expect(!r.ok && r.detail).toBe(`checked out "${frozen}", not the commit asked for (${tagId})`);
  });

  it('a SHA-256 repository is refused: a row holds a 40-hex commit id', async () => {
    const src = path.join(work.dir, 'sha256-repo');
    git(['init', '-q', '--object-format=sha256', '-b', 'main', src]);
    writeFileSync(path.join(src, 'a.py'), 'x = 1\n');
    git(['add', '-A'], src);
    git(['commit', '-q', '-m', 'one'], src);
    const head = git(['rev-parse', 'HEAD'], src).trim();
    expect(head).toHaveLength(64);
    const r = await cloner().clone({ url: pathToFileURL(src).href, dir: jobDir(), maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: false, code: 'clone_error', transient: false });
    expect(!r.ok && r.detail).toBe(
      `checked out "${head}", not the commit asked for (the default branch head)`,
    );
  });

  it('the extra -c pairs of the request apply to every git step', async () => {
    const alias = 'https://pinned.example.invalid/acme/frozen.git';
    const gitConfig = [`url.${repos.fileUrl('acme/frozen')}.insteadOf=${alias}`];
    for (const commit of [undefined, frozen]) {
      const r = await cloner().clone({
        url: alias,
        dir: jobDir(),
        maxBytes: 1e9,
        gitConfig,
        ...(commit ? { commit } : {}),
      });
      expect(r).toMatchObject({ ok: true, commit: commit ?? later });
    }
  });
});

describe('a clone that cannot finish says why', () => {
  it('no time left before a step → clone_timeout naming the step', async () => {
    const branch = await cloner({ timeoutMs: 0 }).clone({
      url: server.url('acme/frozen'),
      dir: jobDir(),
      maxBytes: 1e9,
    });
    expect(branch).toMatchObject({
      ok: false,
      code: 'clone_timeout',
      transient: true,
      detail: 'git clone timed out',
    });
    const commit = await cloner({ timeoutMs: -1 }).clone({
      url: server.url('acme/frozen'),
      dir: jobDir(),
      maxBytes: 1e9,
      commit: frozen,
    });
    expect(commit).toMatchObject({ ok: false, code: 'clone_timeout', detail: 'git init timed out' });
  });

  it('cancelled (worker shutdown) → clone_error, transient, and git is stopped at once', async () => {
    server.faults.set('/acme/gone.git', { kind: 'hang', times: 1 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const started = Date.now();
    const r = await cloner({ signal: ac.signal, timeoutMs: 30_000 }).clone({
      url: server.url('acme/gone'),
      dir: jobDir(),
      maxBytes: 1e9,
    });
    expect(r).toMatchObject({
      ok: false,
      code: 'clone_error',
      transient: true,
      detail: 'git clone was cancelled',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a cloner whose signal was aborted before cloning starts nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const dir = jobDir();
    const r = await cloner({ signal: ac.signal }).clone({
      url: repos.fileUrl('acme/frozen'),
      dir,
      maxBytes: 1e9,
    });
    expect(r).toMatchObject({ ok: false, code: 'clone_error', detail: 'git clone was cancelled' });
  });

  it('the size watchdog stops git while it still runs → too_large with the limit', async () => {
    server.faults.set('/acme/gone.git', { kind: 'hang', times: 1 });
    const dir = jobDir();
    // The job directory grows while git hangs (bytes anywhere in it count): a later look sees it.
    setTimeout(() => writeFileSync(path.join(dir, 'filler.bin'), randomBytes(300_000)), 400);
    const started = Date.now();
    const r = await cloner({ timeoutMs: 8000 }).clone({
      url: server.url('acme/gone'),
      dir,
      maxBytes: 200 * 1024,
    });
    expect(r).toMatchObject({
      ok: false,
      code: 'too_large',
      transient: false,
      detail: 'clone exceeded 200 KB on disk during git clone',
    });
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('the watchdog looks at the configured interval, and a failed step is never too_large', async () => {
    server.faults.set('/acme/gone.git', { kind: 'hang', times: 1 });
    const dir = jobDir();
    writeFileSync(path.join(dir, 'filler.bin'), randomBytes(300_000));
    const r = await cloner({ timeoutMs: 1500, sizeCheckIntervalMs: 600_000 }).clone({
      url: server.url('acme/gone'),
      dir,
      maxBytes: 200 * 1024,
    });
    expect(r).toMatchObject({ ok: false, code: 'clone_timeout', transient: true });
  });

  it('a step that ends over the limit before the watchdog looks is too_large too', async () => {
    const r = await cloner({ lean: false, sizeCheckIntervalMs: 600_000 }).clone({
      url: repos.fileUrl('acme/sparse'),
      dir: jobDir(),
      maxBytes: 1000,
    });
    expect(r).toMatchObject({
      ok: false,
      code: 'too_large',
      detail: 'clone exceeded 1 KB on disk during git clone',
    });
  });

  it('a clone under the limit is not too large, though the watchdog measures it', async () => {
    const dir = jobDir();
    const r = await cloner({ lean: false, sizeCheckIntervalMs: 1 }).clone({
      url: repos.fileUrl('acme/sparse'),
      dir,
      maxBytes: 10_000_000,
    });
    expect(r.ok).toBe(true);
    expect(await diskUsage(dir)).toBeGreaterThan(1000);
  });

  it('a failed step is classified with its name and git’s last lines', async () => {
    const r = await cloner().clone({ url: server.url('nobody/here'), dir: jobDir(), maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: false, code: 'clone_404', transient: false });
    expect(!r.ok && r.detail).toMatch(/^git clone failed \(exit 128\): .*not found/);
    // A failed fetch of a frozen commit from a missing repository is a 404, not commit_missing.
    const c = await cloner().clone({
      url: server.url('nobody/here'),
      dir: jobDir(),
      maxBytes: 1e9,
      commit: frozen,
    });
    expect(c).toMatchObject({ ok: false, code: 'clone_404' });
    expect(!c.ok && c.detail).toMatch(/^git fetch failed/);
  });
});

describe('disk usage', () => {
  it('adds up regular files at every depth, follows no symlink, and is 0 for a missing directory', async () => {
    const d = jobDir();
    mkdirSync(path.join(d, 'a/b'), { recursive: true });
    writeFileSync(path.join(d, 'top.bin'), Buffer.alloc(100));
    writeFileSync(path.join(d, 'a/b/deep.bin'), Buffer.alloc(50));
    const big = path.join(work.dir, `big-${randomBytes(3).toString('hex')}`);
    writeFileSync(big, Buffer.alloc(100_000));
    symlinkSync(big, path.join(d, 'link.bin'));
    symlinkSync(work.dir, path.join(d, 'a/dirlink'));
    expect(await diskUsage(d)).toBe(150);
    expect(await diskUsage(path.join(d, 'nothing-here'))).toBe(0);
  });
});
