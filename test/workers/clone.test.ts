import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskUsage } from '../../src/workers/clone/cloner.js';
import { newJobDir, testCloner } from '../support/cloner.js';
import { GitRepoFactory, git } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { tempDir } from '../support/tmp.js';

const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
const work = tempDir('stratum-clone');

const cloner = testCloner;
const jobDir = () => newJobDir(work.dir);

const ASSETS = {
  'app/agent.py': 'from crewai import Agent\nAgent(role="x")\n',
  'pyproject.toml': '[project]\nname = "x"\n',
  'assets/diagram.png': randomBytes(400_000),
  'data/weights.bin': randomBytes(400_000),
  'docs/guide.pdf': randomBytes(200_000),
};

beforeAll(async () => {
  repos.create('acme/assets', { files: ASSETS });
  await server.start();
});

afterAll(async () => {
  await server.stop();
  repos.cleanup();
  work.cleanup();
});

describe('lean clone', () => {
  for (const transport of ['file', 'http'] as const) {
    it(`fetches only the scanner's files over ${transport}, keeping the full file list`, async () => {
      const dir = jobDir();
      const url = transport === 'file' ? repos.fileUrl('acme/assets') : server.url('acme/assets');
      const r = await cloner().clone({ url, dir, maxBytes: 50_000_000 });
      expect(r).toMatchObject({ ok: true });
      const repo = path.join(dir, 'repo');
      expect(readFileSync(path.join(repo, 'app/agent.py'), 'utf8')).toContain('crewai');
      expect(existsSync(path.join(repo, 'pyproject.toml'))).toBe(true);
      expect(existsSync(path.join(repo, 'assets/diagram.png'))).toBe(false);
      expect(git(['ls-files'], repo).trim().split('\n').sort()).toEqual(Object.keys(ASSETS).sort());
      // The 1 MB of assets was never fetched.
      expect(await diskUsage(path.join(repo, '.git'))).toBeLessThan(100_000);
    });
  }

  it('a plain shallow clone (STRATUM_LEAN_CLONE=0) fetches everything', async () => {
    const dir = jobDir();
    const r = await cloner({ lean: false }).clone({
      url: repos.fileUrl('acme/assets'),
      dir,
      maxBytes: 50_000_000,
    });
    expect(r.ok).toBe(true);
    expect(existsSync(path.join(dir, 'repo/assets/diagram.png'))).toBe(true);
    expect(await diskUsage(path.join(dir, 'repo/.git'))).toBeGreaterThan(900_000);
  });
});

describe('hostile repositories', () => {
  it('checks symlinks out as plain files, so nothing can point outside the clone', async () => {
    const outside = tempDir('stratum-outside');
    repos.create('evil/symlinks', {
      files: { 'main.py': 'import os\n' },
      symlinks: { 'escape.py': outside.dir, 'passwd.json': '/etc/passwd', 'up.yaml': '../../..' },
    });
    const dir = jobDir();
    const r = await cloner().clone({ url: repos.fileUrl('evil/symlinks'), dir, maxBytes: 50_000_000 });
    expect(r.ok).toBe(true);
    for (const name of ['escape.py', 'passwd.json', 'up.yaml']) {
      const p = path.join(dir, 'repo', name);
      expect(lstatSync(p).isSymbolicLink()).toBe(false);
      expect(lstatSync(p).isFile()).toBe(true);
    }
    expect(readFileSync(path.join(dir, 'repo/escape.py'), 'utf8')).toBe(outside.dir);
    outside.cleanup();
  });

  it('never fetches submodules, wherever they point', async () => {
    repos.create('other/secret', { files: { 'secret.py': 'TOKEN = 1\n' } });
    repos.create('evil/submodule', {
      files: { 'main.py': 'import crewai\n' },
      submodules: [{ path: 'vendor/secret', url: repos.fileUrl('other/secret') }],
    });
    const dir = jobDir();
    const r = await cloner().clone({ url: repos.fileUrl('evil/submodule'), dir, maxBytes: 50_000_000 });
    expect(r.ok).toBe(true);
    const sub = path.join(dir, 'repo/vendor/secret');
    expect(existsSync(path.join(sub, 'secret.py'))).toBe(false);
    expect(existsSync(sub) ? readdirSync(sub) : []).toEqual([]);
  });

  it('refuses file:// at the git level when local URLs are not allowed', async () => {
    const r = await cloner({ allowLocalUrls: false }).clone({
      url: repos.fileUrl('acme/assets'),
      dir: jobDir(),
      maxBytes: 1e9,
    });
    expect(r.ok).toBe(false);
  });

  it('stops a clone that grows past the size limit (too_large)', async () => {
    repos.create('big/code', { files: { 'huge.py': randomBytes(3_000_000).toString('base64') } });
    const r = await cloner().clone({ url: server.url('big/code'), dir: jobDir(), maxBytes: 1_000_000 });
    expect(r).toMatchObject({ ok: false, code: 'too_large', transient: false });
  });
});

describe('clone failures are classified', () => {
  it('404 over http → clone_404, permanent', async () => {
    const r = await cloner().clone({ url: server.url('nobody/missing'), dir: jobDir(), maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: false, code: 'clone_404', transient: false });
  });

  it('missing repository over file:// → clone_404', async () => {
    const r = await cloner().clone({ url: repos.fileUrl('nobody/missing'), dir: jobDir(), maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: false, code: 'clone_404', transient: false });
  });

  it('429 → clone_rate_limited, transient', async () => {
    server.faults.set('/acme/assets.git', { kind: 'status', status: 429, times: 1 });
    const r = await cloner().clone({ url: server.url('acme/assets'), dir: jobDir(), maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: false, code: 'clone_rate_limited', transient: true });
  });

  it('503 → clone_error, transient', async () => {
    server.faults.set('/acme/assets.git', { kind: 'status', status: 503, times: 1 });
    const r = await cloner().clone({ url: server.url('acme/assets'), dir: jobDir(), maxBytes: 1e9 });
    expect(r).toMatchObject({ ok: false, code: 'clone_error', transient: true });
  });

  it('a server that hangs → clone_timeout after the configured time', async () => {
    server.faults.set('/acme/assets.git', { kind: 'hang', times: 1 });
    const started = Date.now();
    const r = await cloner({ timeoutMs: 1500 }).clone({
      url: server.url('acme/assets'),
      dir: jobDir(),
      maxBytes: 1e9,
    });
    expect(r).toMatchObject({ ok: false, code: 'clone_timeout', transient: true });
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
