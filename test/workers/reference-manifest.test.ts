import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readManifestIndex } from '../../src/audit/manifest-index.js';
import type { Config } from '../../src/core/config.js';
import { acceptManifestRecord } from '../../src/core/contract/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { repoHash } from '../../src/core/repo-hash.js';
import { runScan } from '../../src/workers/run-scan.js';
import { runCli } from '../support/e2e-population.js';
import { GitRepoFactory, writeManifest } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { REFERENCE_MANIFEST_FIELDS, referenceManifestRecord } from '../support/reference-manifest.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, testConfig, testEnv } from './helpers.js';

/** The contract's row timestamp: ISO-8601, UTC, milliseconds, an explicit +00:00 offset. */
const ROW_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;

const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
let redis: Redis;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  repos.create('acme/agents', { files: AGENT_REPO });
  repos.create('acme/docs', { files: { 'README.md': '# no code\n' } });
  await server.start();
  redis = testRedis();
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

afterAll(async () => {
  await server.stop();
  repos.cleanup();
  redis.disconnect();
});

function env(overrides: Partial<Record<keyof Config, unknown>> = {}) {
  const prefix = uniquePrefix('refman');
  const data = tempDir('stratum-refman');
  const work = tempDir('stratum-refman-work');
  cleanups.push(data.cleanup, work.cleanup, () => deleteKeysWithPrefix(redis, prefix));
  const config = testConfig({ queuePrefix: prefix, dataDir: data.dir, workDir: work.dir, ...overrides });
  return {
    config,
    prefix,
    dataDir: data.dir,
    manifest: path.join(data.dir, 'manifest.jsonl'),
    workDir: work.dir,
  };
}

function jsonl(file: string): Array<Record<string, any>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function keysWithPrefix(prefix: string): Promise<string[]> {
  return redis.keys(`${prefix}*`);
}

describe('manifest records in the reference pipeline’s shape', () => {
  it('the fixture has exactly the reference’s fields', () => {
    expect(Object.keys(referenceManifestRecord('a/b', 'https://github.com/a/b.git'))).toEqual([
      ...REFERENCE_MANIFEST_FIELDS,
    ]);
  });

  it('are accepted: repo_hash derived, head_sha/is_archived/language_bytes unknown, scan_status ignored', () => {
    const accepted = acceptManifestRecord(
      referenceManifestRecord('Acme/Agents', 'https://github.com/Acme/Agents.git'),
    );
    if (!accepted.ok) throw new Error(JSON.stringify(accepted.errors));
    const expected = createHash('sha256').update('Acme/Agents').digest('hex').slice(0, 16);
    expect(accepted.record.repo_hash).toBe(expected);
    expect(repoHash('Acme/Agents')).toBe(expected);
    expect([accepted.record.head_sha, accepted.record.is_archived, accepted.record.language_bytes]).toEqual([
      null,
      null,
      null,
    ]);
    expect('scan_status' in accepted.record).toBe(false);
    expect(accepted.fill).toEqual({
      repoHashDerived: true,
      unknown: ['head_sha', 'is_archived', 'language_bytes'],
    });
  });

  it('a repo_hash the manifest carries is kept; a wrong type is still an error', () => {
    const kept = acceptManifestRecord(
      referenceManifestRecord('a/b', 'https://github.com/a/b.git', { repo_hash: 'abc123' }),
    );
    expect(kept.ok && kept.record.repo_hash).toBe('abc123');
    const wrong = acceptManifestRecord(
      referenceManifestRecord('a/b', 'https://github.com/a/b.git', { is_archived: 'no', scan_status: 7 }),
    );
    expect(wrong.ok).toBe(false);
    if (!wrong.ok)
      expect(wrong.errors.map((e) => e.pointer).sort()).toEqual(['/is_archived', '/scan_status']);
  });

  it('the audit reads them too: fork families kept, language bytes counted as unknown', async () => {
    const t = tempDir('stratum-refman-index');
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'm.jsonl');
    writeManifest(file, [
      referenceManifestRecord('acme/agents', 'https://github.com/acme/agents.git'),
      referenceManifestRecord('fork/agents', 'https://github.com/fork/agents.git', {
        is_fork: true,
        fork_parent: 'acme/agents',
      }),
    ]);
    const index = await readManifestIndex(file);
    expect(index).toMatchObject({
      rows: 2,
      invalidCount: 0,
      forks: 1,
      languageBytesUnknown: 2,
      repoHashDerived: 2,
    });
    expect(index.repos.forkParent('fork/agents')).toBe('acme/agents');
  });
});

describe('scan of a reference manifest on real git and Redis', { timeout: 120_000 }, () => {
  it('scans every row; the manifest’s derived repo_hash is in every row, whatever its status; one timestamp format', async () => {
    const e = env();
    writeManifest(e.manifest, [
      referenceManifestRecord('acme/agents', server.url('acme/agents')),
      referenceManifestRecord('acme/docs', server.url('acme/docs')),
      referenceManifestRecord('acme/gone', server.url('acme/gone')),
    ]);
    const summary = await runScan(
      { config: e.config, dataDir: e.dataDir, logger: silentLogger, secrets: [] },
      { manifest: e.manifest, workers: 2, resume: false, tty: false },
    );
    expect(summary.outcome).toBe('complete');
    expect(summary.enqueue).toMatchObject({ added: 3, rejected: [] });
    expect(summary.enqueue.filled).toEqual({
      repo_hash_derived: 3,
      head_sha_unknown: 3,
      is_archived_unknown: 3,
      language_bytes_unknown: 3,
    });
    const rows = [
      ...jsonl(path.join(e.dataDir, 'scan_results.jsonl')),
      ...jsonl(path.join(e.dataDir, 'quarantine.jsonl')),
    ];
    const byName = new Map(rows.map((r) => [r.repo_full_name, r]));
    expect([...byName.keys()].sort()).toEqual(['acme/agents', 'acme/docs', 'acme/gone']);
    expect(byName.get('acme/agents')!.scan_status).toBe('success');
    expect(byName.get('acme/gone')!.failure_reason).toBe('clone_404');
    for (const [name, row] of byName) {
      expect({ name, hash: row.repo_hash }).toEqual({ name, hash: repoHash(name) });
      expect(row.timestamp ?? row.quarantined_at).toMatch(ROW_TIMESTAMP);
    }
    const log = JSON.parse(readFileSync(path.join(e.dataDir, 'pipeline_run_log.json'), 'utf8'));
    expect(log.manifest).toMatchObject({ path: e.manifest, fields_filled: { repo_hash_derived: 3 } });
    expect(log.ended_at).toMatch(ROW_TIMESTAMP);
  });

  it('a scanner ping with another repo_hash and a Z or other-offset timestamp is brought to the pipeline’s', async () => {
    const { judgeScannerOutput } = await import('../../src/workers/validate/judge-output.js');
    const t = tempDir('stratum-refman-ping');
    cleanups.push(t.cleanup);
    for (const [file, text] of Object.entries(AGENT_REPO)) {
      mkdirSync(path.dirname(path.join(t.dir, file)), { recursive: true });
      writeFileSync(path.join(t.dir, file), text);
    }
    // The fake scanners' ping (a Z timestamp, a random repo_hash), as a scanner would print it.
    // @ts-expect-error a JavaScript test fixture without types
    const { buildPing } = await import('../fixtures/scanners/_ping.mjs');
    const template = buildPing({
      dir: t.dir,
      repoName: 'acme/agents',
      repoUrl: 'https://github.com/acme/agents',
    });
    const data = {
      repo_full_name: 'acme/agents',
      repo_url: 'https://github.com/acme/agents',
      repo_hash: repoHash('acme/agents'),
      selection_stratum: 's',
      github_size_kb: 1,
    };
    for (const [given, expected] of [
      ['2026-12-06T14:40:20.123456Z', '2026-12-06T14:40:20.123+00:00'],
      ['2026-12-06T16:40:20.999999+02:00', '2026-12-06T14:40:20.999+00:00'],
      ['2026-12-06T14:40:20+00:00', '2026-12-06T14:40:20.000+00:00'],
    ]) {
      const judged = judgeScannerOutput(
        JSON.stringify({ ...template, repo_hash: 'topology-hash', timestamp: given }),
        data,
        { jobId: 'j', attempt: 1 },
      );
      expect(judged.kind).toBe('ping');
      if (judged.kind === 'ping')
        expect([judged.ping.repo_hash, judged.ping.timestamp]).toEqual([data.repo_hash, expected]);
    }
    const quarantined = judgeScannerOutput(
      JSON.stringify({ ...template, timestamp: '2026-12-06T14:40:20' }),
      data,
      { jobId: 'j', attempt: 1 },
    );
    expect(quarantined.kind).toBe('quarantine');
    if (quarantined.kind === 'quarantine') {
      expect(quarantined.record.repo_hash).toBe(data.repo_hash);
      expect(quarantined.record.quarantined_at).toMatch(ROW_TIMESTAMP);
    }
  });
});

describe('a manifest with nothing to scan, or a refused scan: exit 2, one line, nothing written', {
  timeout: 120_000,
}, () => {
  async function cli(e: ReturnType<typeof env>, args: string[]) {
    return runCli(
      args,
      testEnv({
        STRATUM_QUEUE_PREFIX: e.prefix,
        STRATUM_DATA_DIR: e.dataDir,
        STRATUM_WORK_DIR: e.workDir,
        STRATUM_ALLOW_LOCAL_URLS: '0',
      }),
      60_000,
    );
  }

  it.each([
    ['empty', () => '', /: empty, no repository to scan$/],
    ['blank lines only', () => '\n\n', /: empty, no repository to scan$/],
    [
      'every row rejected',
      () =>
        [
          JSON.stringify(referenceManifestRecord('acme/a', 'https://127.0.0.1:9/acme/a.git')),
          JSON.stringify(referenceManifestRecord('acme/b', 'file:///etc')),
          'not json',
          JSON.stringify(referenceManifestRecord('acme/a', 'https://github.com/acme/a.git')),
        ].join('\n'),
      /: none of its 4 lines can be scanned \(all skipped, duplicated or rejected\); first: line 1: repo_url https:\/\/127\.0\.0\.1:9 is local \(loopback\)/,
    ],
  ])('%s', async (_label, content, message) => {
    for (const command of ['scan', 'enqueue']) {
      const e = env();
      writeFileSync(e.manifest, content());
      const before = readdirSync(e.dataDir).sort();
      const run = await cli(e, [command, '--manifest', e.manifest]);
      expect({ command, code: run.code }).toEqual({ command, code: 2 });
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
      expect(readdirSync(e.dataDir).sort()).toEqual(before);
      expect(await keysWithPrefix(e.prefix)).toEqual([]);
    }
  });

  it('scan over existing results without --resume writes nothing to Redis or the data directory', async () => {
    const e = env();
    writeManifest(e.manifest, [referenceManifestRecord('acme/agents', server.url('acme/agents'))]);
    const row = { repo_full_name: 'acme/agents', scan_status: 'failed' };
    writeFileSync(path.join(e.dataDir, 'scan_results.jsonl'), `${JSON.stringify(row)}\n`);
    const before = readdirSync(e.dataDir).sort();
    const run = await cli(e, ['scan', '--manifest', e.manifest]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error: .* already holds 1 result rows; pass --resume/);
    expect(readdirSync(e.dataDir).sort()).toEqual(before);
    expect(await keysWithPrefix(e.prefix)).toEqual([]);
  });
});
