import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ping, QuarantineRecord } from '../../src/core/contract/index.js';
import { GitCloner } from '../../src/workers/clone/cloner.js';
import { DEFAULT_SPARSE_PATTERNS } from '../../src/workers/clone/sparse-patterns.js';
import { Workspace } from '../../src/workers/clone/workspace.js';
import type { ScanJobData, ScanJobResult } from '../../src/workers/job-data.js';
import { type JobDeps, processScanJob, TransientScanError } from '../../src/workers/process-job.js';
import { ProcessScannerRunner } from '../../src/workers/scan/scanner-runner.js';
import { GitRepoFactory } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, fakeScanner } from './helpers.js';

const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
const work = tempDir('stratum-jobs');
let workspace: Workspace;

beforeAll(async () => {
  repos.create('acme/agents', { files: AGENT_REPO });
  repos.create('acme/nopython', { files: { 'README.md': '# docs only\n' } });
  await server.start();
  workspace = (await Workspace.open(work.dir)).workspace;
});

afterAll(async () => {
  await server.stop();
  await workspace.close();
  repos.cleanup();
  work.cleanup();
});

function deps(scanner = 'valid', o: Partial<JobDeps> & { scanTimeoutMs?: number } = {}): JobDeps {
  return {
    cloner: new GitCloner({
      allowLocalUrls: true,
      timeoutMs: 10_000,
      lean: true,
      sparsePatterns: DEFAULT_SPARSE_PATTERNS,
    }),
    scanner: new ProcessScannerRunner(
      { command: fakeScanner(scanner), prefixArgs: [], description: scanner },
      { timeoutMs: o.scanTimeoutMs ?? 10_000, maxStdoutBytes: 4 * 1024 * 1024 },
    ),
    workspace,
    allowLocalUrls: true,
    maxRepoSizeKb: 100_000,
    scannerVersionForFailures: 'test',
    secrets: [],
    ...o,
  };
}

function data(name: string, url: string, extra: Partial<ScanJobData> = {}): ScanJobData {
  return {
    repo_full_name: name,
    repo_url: url,
    repo_hash: 'abc123',
    selection_stratum: 'crewai_active',
    matched_strata: ['crewai_active'],
    github_size_kb: 10,
    ...extra,
  };
}

const ctx = { jobId: 'job', attempt: 1, maxAttempts: 1 };

function ping(r: ScanJobResult): Ping {
  if (r.kind !== 'ping') throw new Error(`expected a ping, got ${JSON.stringify(r).slice(0, 300)}`);
  return r.ping;
}

function jobDirsLeft(): string[] {
  return readdirSync(workspace.processDir);
}

describe('one job end to end (real git, real scanner processes)', () => {
  it('a valid scan → a success ping; the manifest sets url and strata; the clone is removed', async () => {
    const url = server.url('acme/agents');
    const p = ping(await processScanJob(data('acme/agents', url), ctx, deps()));
    expect(p.scan_status).toBe('success');
    expect(p.frameworks).toEqual(['CrewAI']);
    expect(p.agent_count).toBe(1);
    expect(p.repo_url).toBe(url);
    expect(p.selection_stratum).toBe('crewai_active');
    expect(jobDirsLeft()).toEqual([]);
  });

  it('a repository without Python → an empty ping from the scanner', async () => {
    const p = ping(await processScanJob(data('acme/nopython', repos.fileUrl('acme/nopython')), ctx, deps()));
    expect(p).toMatchObject({ scan_status: 'empty', failure_reason: 'no_python' });
  });

  it('a scanner crash → failed/parse_crash with the stderr tail', async () => {
    const p = ping(
      await processScanJob(data('acme/agents', repos.fileUrl('acme/agents')), ctx, deps('crash')),
    );
    expect(p).toMatchObject({ scan_status: 'failed', failure_reason: 'parse_crash' });
    expect(p.failure_detail).toContain('boom in the parser');
    expect(p.failure_detail).toContain('exited with code 3');
  });

  it('a hanging scanner → failed/parse_timeout, its whole process tree killed', async () => {
    const name = 'acme/agents';
    const pidFile = path.join(os.tmpdir(), 'stratum-hang-acme__agents.pid');
    rmSync(pidFile, { force: true });
    const started = Date.now();
    const p = ping(
      await processScanJob(data(name, repos.fileUrl(name)), ctx, deps('hang', { scanTimeoutMs: 1500 })),
    );
    expect(p).toMatchObject({ scan_status: 'failed', failure_reason: 'parse_timeout' });
    expect(Date.now() - started).toBeLessThan(15_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    rmSync(pidFile, { force: true });
    await new Promise((res) => setTimeout(res, 200));
    expect(grandchild).toBeGreaterThan(1);
    expect(isRunning(grandchild)).toBe(false);
    expect(jobDirsLeft()).toEqual([]);
  });

  it('garbage on stdout → failed/invalid_json', async () => {
    const p = ping(
      await processScanJob(data('acme/agents', repos.fileUrl('acme/agents')), ctx, deps('garbage')),
    );
    expect(p).toMatchObject({ scan_status: 'failed', failure_reason: 'invalid_json' });
    expect(p.failure_detail).toMatch(/not JSON/);
  });

  it('100 MB on stdout → killed at the cap, failed/invalid_json, memory bounded', async () => {
    const before = process.memoryUsage().rss;
    const p = ping(
      await processScanJob(data('acme/agents', repos.fileUrl('acme/agents')), ctx, deps('flood')),
    );
    expect(p).toMatchObject({ scan_status: 'failed', failure_reason: 'invalid_json' });
    expect(p.failure_detail).toMatch(/more than 4194304 bytes/);
    expect(process.memoryUsage().rss - before).toBeLessThan(80 * 1024 * 1024);
  });

  it('a ping that breaks invariants → a quarantine record with every error', async () => {
    const r = await processScanJob(
      data('acme/agents', repos.fileUrl('acme/agents')),
      { ...ctx, attempt: 2 },
      deps('invariants'),
    );
    expect(r.kind).toBe('quarantine');
    const q = (r as { record: QuarantineRecord }).record;
    expect(q.repo_full_name).toBe('acme/agents');
    expect(q.attempts).toBe(2);
    const pointers = q.validation_errors.map((e) => e.pointer);
    expect(pointers).toContain('/finding_rule_count');
    expect(pointers).toContain('/files_scanned');
  });

  it('a ping for another repository → quarantined by invariant 11, not silently repaired', async () => {
    const r = await processScanJob(
      data('acme/agents', repos.fileUrl('acme/agents')),
      ctx,
      deps('wrong-repo'),
    );
    expect(r.kind).toBe('quarantine');
    const q = (r as { record: QuarantineRecord }).record;
    expect(q.validation_errors.map((e) => e.message).join()).toMatch(/invariant 11/);
  });

  it('a missing scanner executable → failed/parse_crash saying so', async () => {
    const d = deps();
    d.scanner = new ProcessScannerRunner(
      {
        command: process.execPath,
        prefixArgs: ['/nonexistent/cli.js'],
        description: 'built-in',
        requiredFile: '/nonexistent/cli.js',
      },
      { timeoutMs: 5000, maxStdoutBytes: 1024 },
    );
    const p = ping(await processScanJob(data('acme/agents', repos.fileUrl('acme/agents')), ctx, d));
    expect(p).toMatchObject({ failure_reason: 'parse_crash' });
    expect(p.failure_detail).toMatch(/built-in scanner not found/);
  });
});

describe('rows that never reach git', () => {
  const sentinel = path.join(os.tmpdir(), `stratum-pwned-${process.pid}`);

  it.each([
    ['-oProxyCommand=touch/x', `https://github.com/a/b`],
    ['../../etc/passwd', `https://github.com/a/b`],
    ['owner/name', `--upload-pack=touch ${sentinel}`],
    ['owner/name', `ext::sh -c touch% ${sentinel}`],
  ])('%s %s → failed/clone_error "manifest row rejected", nothing run', async (name, url) => {
    const r = await processScanJob(data(name, url), ctx, deps());
    const row = r.kind === 'ping' ? r.ping : (r.record.ping as Ping);
    expect(row.failure_reason).toBe('clone_error');
    expect(row.failure_detail).toMatch(/manifest row rejected/);
    expect(existsSync(sentinel)).toBe(false);
    expect(r.timing.clone_ms).toBe(0);
  });

  it('github_size_kb over the limit → failed/too_large without cloning', async () => {
    const r = ping(
      await processScanJob(
        data('acme/agents', server.url('acme/agents'), { github_size_kb: 5_000_000 }),
        ctx,
        deps(),
      ),
    );
    expect(r).toMatchObject({ failure_reason: 'too_large' });
  });
});

describe('transient failures', () => {
  it('a 429 with attempts left is thrown for a retry; on the last attempt it becomes the row', async () => {
    let rateLimited = 0;
    let retries = 0;
    const d = deps('valid', { onRateLimited: () => void rateLimited++, onRetry: () => void retries++ });
    server.faults.set('/acme/agents.git', { kind: 'status', status: 429, times: 2 });
    const job = data('acme/agents', server.url('acme/agents'));
    await expect(processScanJob(job, { jobId: 'j', attempt: 1, maxAttempts: 2 }, d)).rejects.toBeInstanceOf(
      TransientScanError,
    );
    const last = ping(await processScanJob(job, { jobId: 'j', attempt: 2, maxAttempts: 2 }, d));
    expect(last).toMatchObject({ scan_status: 'failed', failure_reason: 'clone_rate_limited' });
    expect(last.failure_detail).toMatch(/after 2 attempts/);
    expect({ rateLimited, retries }).toEqual({ rateLimited: 2, retries: 1 });
  });

  it('a 404 is permanent: no retry even with attempts left', async () => {
    const r = ping(
      await processScanJob(
        data('x/gone', server.url('x/gone')),
        { jobId: 'j', attempt: 1, maxAttempts: 3 },
        deps(),
      ),
    );
    expect(r).toMatchObject({ failure_reason: 'clone_404' });
    expect(server.requestCount('x/gone')).toBe(1);
  });
});

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
