import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProcess } from '../../src/core/run-process.js';
import { gitConfigArgs, gitEnv } from '../../src/workers/clone/git-command.js';
import { GitRepoFactory, git } from '../support/git-repos.js';
import { tempDir } from '../support/tmp.js';

// What a worker's git may and may not do with an untrusted repository, checked by running git
// exactly as the cloner runs it (gitConfigArgs + gitEnv, nothing inherited) on real repositories.

const tmp = tempDir('git-hardening');
const repos = new GitRepoFactory(path.join(tmp.dir, 'remote'));
let n = 0;
const fresh = (label: string) => path.join(tmp.dir, `${label}-${++n}`);

function hardenedGit(
  args: string[],
  opts: { allowLocal: boolean; cwd?: string; env?: Record<string, string> },
): Promise<RunResult> {
  return runProcess('git', [...gitConfigArgs(opts.allowLocal), ...args], {
    env: { ...gitEnv(opts.allowLocal), ...opts.env },
    timeoutMs: 20_000,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

/** A marker-writing script: if it ever runs, the marker file exists. */
function trap(dir: string, marker: string): string {
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'trap.sh');
  writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\n`);
  chmodSync(script, 0o755);
  return script;
}

let plainUrl: string;
beforeAll(() => {
  repos.create('acme/plain', { files: { 'a.py': 'import os\n', 'sub/b.py': 'x = 1\n' } });
  repos.create('acme/links', {
    files: { 'real.txt': 'hello\n' },
    symlinks: { 'link-out': '/etc/passwd', 'link-in': 'real.txt' },
  });
  plainUrl = repos.fileUrl('acme/plain');
});
afterAll(() => {
  repos.cleanup();
  tmp.cleanup();
});

async function cloneOf(name: string): Promise<string> {
  const dest = fresh('clone');
  const r = await hardenedGit(['clone', '-q', repos.fileUrl(name), dest], { allowLocal: true });
  expect(r.exitCode, r.stderrTail).toBe(0);
  return dest;
}

describe('transports', () => {
  it('clones file:// only when local URLs are allowed', async () => {
    const allowed = await hardenedGit(['clone', '-q', plainUrl, fresh('ok')], { allowLocal: true });
    expect(allowed.exitCode, allowed.stderrTail).toBe(0);
    const refused = await hardenedGit(['clone', '-q', plainUrl, fresh('no')], { allowLocal: false });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderrTail).toMatch(/transport 'file' not allowed/);
  });

  it('with local URLs off, only https is ever attempted: http and git:// are refused before connecting', async () => {
    for (const url of ['http://127.0.0.1:9/x.git', 'git://127.0.0.1:9/x.git']) {
      const r = await hardenedGit(['ls-remote', url], { allowLocal: false });
      expect(r.exitCode, url).not.toBe(0);
      expect(r.stderrTail, url).toMatch(/transport '(http|git)' not allowed/);
    }
    // https is allowed: git gets as far as connecting (nothing listens on port 9).
    const https = await hardenedGit(['ls-remote', 'https://127.0.0.1:9/x.git'], { allowLocal: false });
    expect(https.exitCode).not.toBe(0);
    expect(https.stderrTail).not.toMatch(/not allowed/);
    expect(https.stderrTail).toMatch(/Failed to connect|Couldn't connect|Connection refused/i);
  });

  it('with local URLs on, http is reachable too', async () => {
    const r = await hardenedGit(['ls-remote', 'http://127.0.0.1:9/x.git'], { allowLocal: true });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderrTail).not.toMatch(/not allowed/);
  });

  it('never runs a command through the ext:: transport, even with local URLs on', async () => {
    const marker = path.join(tmp.dir, 'ext-ran');
    const r = await hardenedGit(['clone', '-q', `ext::sh -c touch% ${marker}`, fresh('ext')], {
      allowLocal: true,
    });
    expect(r.exitCode).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('what a checked-out repository cannot do', () => {
  it('symlinks arrive as plain files holding the link text, never pointing out of the tree', async () => {
    const dest = await cloneOf('acme/links');
    for (const name of ['link-out', 'link-in'])
      expect(lstatSync(path.join(dest, name)).isSymbolicLink(), name).toBe(false);
    expect(readFileSync(path.join(dest, 'link-out'), 'utf8')).toBe('/etc/passwd');
  });

  it('no hook in the clone runs on checkout', async () => {
    const dest = await cloneOf('acme/plain');
    const marker = path.join(tmp.dir, 'hook-ran');
    const script = trap(path.join(tmp.dir, 'hooks-src'), marker);
    writeFileSync(path.join(dest, '.git', 'hooks', 'post-checkout'), readFileSync(script));
    chmodSync(path.join(dest, '.git', 'hooks', 'post-checkout'), 0o755);
    // A hooks directory named by the repository's own config is ignored too.
    const ownHooks = path.join(tmp.dir, 'own-hooks');
    mkdirSync(ownHooks, { recursive: true });
    writeFileSync(path.join(ownHooks, 'post-checkout'), readFileSync(script));
    chmodSync(path.join(ownHooks, 'post-checkout'), 0o755);
    git(['config', 'core.hooksPath', ownHooks], dest);
    const r = await hardenedGit(['checkout', '-q', '-b', 'other'], { allowLocal: true, cwd: dest });
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('no fsmonitor command named in the clone config runs', async () => {
    const dest = await cloneOf('acme/plain');
    const marker = path.join(tmp.dir, 'fsmonitor-ran');
    git(['config', 'core.fsmonitor', trap(path.join(tmp.dir, 'fsm'), marker)], dest);
    const r = await hardenedGit(['status', '--porcelain'], { allowLocal: true, cwd: dest });
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('a detached checkout says nothing on stderr (failure details keep only real errors)', async () => {
    const dest = await cloneOf('acme/plain');
    const head = git(['rev-parse', 'HEAD'], dest).trim();
    const r = await hardenedGit(['checkout', head], { allowLocal: true, cwd: dest });
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect(r.stderrTail).not.toMatch(/detached HEAD|hint:|You are in/);
  });
});

describe('nothing of the machine configures the worker git', () => {
  it("ignores the user's global config (a url rewrite and a hooks path there change nothing)", async () => {
    const home = path.join(tmp.dir, 'home');
    mkdirSync(home, { recursive: true });
    const marker = path.join(tmp.dir, 'global-hook-ran');
    const hooks = path.join(tmp.dir, 'global-hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, 'post-checkout'), readFileSync(trap(path.join(tmp.dir, 'gh'), marker)));
    chmodSync(path.join(hooks, 'post-checkout'), 0o755);
    writeFileSync(
      path.join(home, '.gitconfig'),
      `[url "file:///nonexistent/"]\n\tinsteadOf = ${plainUrl.replace(/acme\/plain\.git$/, '')}\n[core]\n\thooksPath = ${hooks}\n`,
    );
    const dest = fresh('global');
    const r = await hardenedGit(['clone', '-q', plainUrl, dest], {
      allowLocal: true,
      env: { HOME: home, XDG_CONFIG_HOME: home },
    });
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect(existsSync(path.join(dest, 'a.py'))).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('ignores a system config, even one named by GIT_CONFIG_SYSTEM', async () => {
    const system = path.join(tmp.dir, 'system-gitconfig');
    writeFileSync(system, `[url "file:///nonexistent/"]\n\tinsteadOf = ${plainUrl}\n`);
    const dest = fresh('system');
    const r = await hardenedGit(['clone', '-q', plainUrl, dest], {
      allowLocal: true,
      env: { GIT_CONFIG_SYSTEM: system },
    });
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect(existsSync(path.join(dest, 'a.py'))).toBe(true);
  });

  it('never asks for credentials: a server that wants a password gets a fast failure, not a prompt', async () => {
    const asked: string[] = [];
    const server: Server = createServer((req, res) => {
      asked.push(req.headers.authorization ?? '');
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await hardenedGit(['ls-remote', `http://127.0.0.1:${port}/private.git`], {
        allowLocal: true,
      });
      expect(r.exitCode).not.toBe(0);
      expect(r.timedOut).toBe(false);
      expect(asked.every((a) => a === '')).toBe(true);
    } finally {
      server.close();
    }
  });

  it('the child environment holds nothing of the parent but PATH, LANG and HOME', () => {
    const env = gitEnv(false);
    const inherited = Object.keys(env).filter((k) => !k.startsWith('GIT_') && !k.endsWith('ASKPASS'));
    expect(inherited.sort()).toEqual(['HOME', 'LANG', 'PATH']);
    expect(env.GIT_ALLOW_PROTOCOL).toBe('https');
    expect(gitEnv(true).GIT_ALLOW_PROTOCOL).toBe('https:http:git:file');
  });
});
