import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/run-process.js';
import { GitCloner } from '../../src/workers/clone/cloner.js';
import { gitConfigArgs, gitEnv } from '../../src/workers/clone/git-command.js';
import { judgeRepoUrl } from '../../src/workers/clone/repo-url.js';
import { pinPublicHost } from '../../src/workers/clone/resolve-host.js';
import { DEFAULT_SPARSE_PATTERNS } from '../../src/workers/clone/sparse-patterns.js';
import { Workspace } from '../../src/workers/clone/workspace.js';
import { processScanJob } from '../../src/workers/process-job.js';
import { ProcessScannerRunner } from '../../src/workers/scan/scanner-runner.js';
import { tempDir } from '../support/tmp.js';
import { fakeScanner } from './helpers.js';

/**
 * Real git against a loopback listener that counts every TCP connection: hostile manifest
 * URLs that point at loopback in disguise never reach it when local URLs are off. The control
 * runs the same hardened git invocation on the raw strings, without the judge, and sees git
 * connect: the listener would notice a leak.
 */
let listener: Server;
let port = 0;
const connections: Socket[] = [];
const work = tempDir('stratum-url-guard');
let workspace: Workspace;

beforeAll(async () => {
  listener = createServer((socket) => {
    connections.push(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
  workspace = (await Workspace.open(work.dir)).workspace;
});

afterAll(async () => {
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  await workspace.close();
  work.cleanup();
});

const hostile = () => [
  `https://0.0.0.0:${port}/acme/agents.git`,
  `https://[::ffff:127.0.0.1]:${port}/acme/agents.git`,
  `https://github.com\\@127.0.0.1:${port}/acme/agents.git`,
  `https://2130706433:${port}/acme/agents.git`,
  `https://0x7f.1:${port}/acme/agents.git`,
  `https://127.0.0.1.:${port}/acme/agents.git`,
  `https://localhost.:${port}/acme/agents.git`,
  `https://github.com@127.0.0.1:${port}/acme/agents.git`,
  `https://[::127.0.0.1]:${port}/acme/agents.git`,
];

describe('the URL guard with real git and a loopback listener', { timeout: 60_000 }, () => {
  it('control: the unguarded git invocation does connect for the issue’s three URLs', async () => {
    for (const url of hostile().slice(0, 3)) {
      const before = connections.length;
      await runProcess('git', [...gitConfigArgs(false), 'ls-remote', '--', url], {
        env: gitEnv(false),
        cwd: work.dir,
        timeoutMs: 15_000,
      });
      expect(connections.length, url).toBeGreaterThan(before);
    }
  });

  it('no hostile URL reaches the listener through a scan job; each ends as a failed row', async () => {
    const before = connections.length;
    const deps = {
      cloner: new GitCloner({
        allowLocalUrls: false,
        timeoutMs: 10_000,
        lean: true,
        sparsePatterns: DEFAULT_SPARSE_PATTERNS,
      }),
      scanner: new ProcessScannerRunner(
        { command: fakeScanner('valid'), prefixArgs: [], description: 'valid' },
        { timeoutMs: 10_000, maxStdoutBytes: 1024 * 1024 },
      ),
      workspace,
      allowLocalUrls: false,
      maxRepoSizeKb: 100_000,
      scannerVersionForFailures: 'test',
      secrets: [],
    };
    for (const url of hostile()) {
      const result = await processScanJob(
        {
          repo_full_name: 'acme/agents',
          repo_url: url,
          repo_hash: 'h',
          selection_stratum: 's',
          github_size_kb: 1,
        },
        { jobId: 'j', attempt: 1, maxAttempts: 1 },
        deps,
      );
      expect(result.kind, url).toBe('ping');
      if (result.kind !== 'ping') continue;
      expect(result.ping.scan_status).toBe('failed');
      expect(result.ping.failure_reason).toBe('clone_error');
      expect(result.ping.failure_detail, url).toMatch(/^manifest row rejected: repo_url /);
      expect(result.timing.clone_ms).toBe(0);
    }
    expect(connections.length - before).toBe(0);
  });

  it('a name that resolves to loopback is refused; a public one pins git to its judged addresses', async () => {
    const lookup = async (host: string) => {
      if (host === 'rebind.example') return ['140.82.112.3', '127.0.0.1'];
      if (host === 'v6.example') return ['::1'];
      if (host === 'public.example') return ['140.82.112.3', '2606:4700::1111'];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const before = connections.length;
    for (const host of ['rebind.example', 'v6.example']) {
      const judged = judgeRepoUrl(`https://${host}:${port}/acme/agents.git`, false);
      if (!judged.ok) throw new Error(judged.problem);
      const pinned = await pinPublicHost(judged.judged, false, lookup);
      expect(pinned.ok).toBe(false);
      if (!pinned.ok) expect(pinned.detail).toMatch(/resolves to (127\.0\.0\.1|::1) \(loopback\)/);
    }
    const unknown = judgeRepoUrl('https://nowhere.example/a/b.git', false);
    const failed = unknown.ok && (await pinPublicHost(unknown.judged, false, lookup));
    expect(failed && !failed.ok && [failed.transient, failed.detail]).toEqual([
      true,
      'could not resolve host nowhere.example: ENOTFOUND',
    ]);
    const pub = judgeRepoUrl('https://Public.Example./acme/agents.git', false);
    if (!pub.ok) throw new Error(pub.problem);
    const pinned = await pinPublicHost(pub.judged, false, lookup);
    expect(pinned.ok && pinned.gitConfig).toEqual([
      'http.curloptResolve=public.example:443:140.82.112.3,[2606:4700::1111]',
    ]);
    expect(connections.length - before).toBe(0);
  });

  it('git honours the pinned addresses (the name itself never resolves)', async () => {
    const before = connections.length;
    await runProcess(
      'git',
      [
        ...gitConfigArgs(false),
        '-c',
        `http.curloptResolve=pinned.invalid:${port}:127.0.0.1`,
        'ls-remote',
        '--',
        `https://pinned.invalid:${port}/acme/agents.git`,
      ],
      { env: gitEnv(false), cwd: work.dir, timeoutMs: 15_000 },
    );
    expect(connections.length).toBeGreaterThan(before);
  });
});
