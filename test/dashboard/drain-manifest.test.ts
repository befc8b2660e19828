import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run-audit.js';
import { silentLogger } from '../../src/core/logger.js';
import { SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import { AuditOnDrain } from '../../src/dashboard/audit-on-drain.js';
import { threadedAudit } from '../../src/dashboard/audit-thread.js';
import { runScan } from '../../src/workers/run-scan.js';
import { GitRepoFactory, writeManifest } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { referenceManifestRecord } from '../support/reference-manifest.js';
import { tempDir } from '../support/tmp.js';
import { testConfig } from '../workers/helpers.js';

/**
 * Issue #13 §8 end to end: `scan --manifest` with a manifest outside the data directory (in the
 * reference's shape), real git, Redis and the built-in scanner; the audit that runs when the
 * queue drains reads that manifest, so a fork and its parent, whose code differs, are one
 * family on one side of the split.
 */
const repos = new GitRepoFactory();
const server = new GitHttpServer(repos.root);
const data = tempDir('stratum-drain-manifest');
const elsewhere = tempDir('stratum-drain-manifest-src');
const work = tempDir('stratum-drain-manifest-work');
const prefix = uniquePrefix('drainman');
let redis: Redis;

const PARENT = {
  'crew.py':
    'from crewai import Agent, Crew, Task\n' +
    'a = Agent(role="writer", goal="g", backstory="b")\n' +
    'c = Crew(agents=[a], tasks=[Task(description="d", agent=a)])\n',
  'requirements.txt': 'crewai==0.80\n',
};
const FORK = {
  'crew.py':
    'from crewai import Agent, Crew, Task\n' +
    'a = Agent(role="writer", goal="g", backstory="b")\n' +
    'b = Agent(role="editor", goal="g", backstory="b")\n' +
    'c = Crew(agents=[a, b], tasks=[Task(description="d", agent=a), Task(description="e", agent=b)])\n',
  'requirements.txt': 'crewai==0.80\n',
};

beforeAll(async () => {
  repos.create('acme/agents', { files: PARENT });
  repos.create('fork/agents', { files: FORK });
  await server.start();
  redis = testRedis();
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await server.stop();
  repos.cleanup();
  for (const t of [data, elsewhere, work]) t.cleanup();
});

function sidecarGroups(dir: string): Map<string, string> {
  const lines = readFileSync(path.join(dir, 'split_assignment.jsonl'), 'utf8').split('\n').filter(Boolean);
  return new Map(
    lines.map((l) => {
      const v = JSON.parse(l) as { repo_full_name: string; group: string };
      return [v.repo_full_name, v.group];
    }),
  );
}

describe('the drain audit reads the manifest the run was given', { timeout: 180_000 }, () => {
  it('groups the fork family from that manifest (not <data-dir>/repo_manifest.jsonl)', async () => {
    const manifest = path.join(elsewhere.dir, 'reference_manifest.jsonl');
    writeManifest(manifest, [
      referenceManifestRecord('acme/agents', server.url('acme/agents')),
      referenceManifestRecord('fork/agents', server.url('fork/agents'), {
        is_fork: true,
        fork_parent: 'acme/agents',
      }),
    ]);
    const config = testConfig({
      queuePrefix: prefix,
      dataDir: data.dir,
      workDir: work.dir,
      scannerCommand: '',
    });
    const scan = await runScan(
      { config, dataDir: data.dir, logger: silentLogger, secrets: [] },
      { manifest, workers: 2, resume: false, tty: false },
    );
    expect(scan.outcome).toBe('complete');
    expect(existsSync(path.join(data.dir, 'repo_manifest.jsonl'))).toBe(false);
    const rows = readFileSync(path.join(data.dir, 'scan_results.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.scan_status)).toEqual(['success', 'success']);
    // Their code differs: nothing but the manifest links them.
    expect(rows[0].topology_signature_hash).not.toBe(rows[1].topology_signature_hash);

    const queue = new Queue(SCAN_QUEUE_NAME, { connection: testRedis(), prefix });
    try {
      const trigger = new AuditOnDrain({
        redis: testRedis(),
        queue,
        prefix,
        dataDir: data.dir,
        runAudit: threadedAudit,
        stableChecks: 1,
      });
      const result = await trigger.check();
      expect(result.action, JSON.stringify(result)).toBe('ran');
    } finally {
      await queue.close();
    }
    const withManifest = sidecarGroups(data.dir);
    expect(withManifest.get('fork/agents')).toBe(withManifest.get('acme/agents'));

    // Control: the same rows audited without a manifest are two groups.
    const bare = tempDir('stratum-drain-manifest-bare');
    try {
      await runAudit({
        input: path.join(data.dir, 'scan_results.jsonl'),
        outDir: bare.dir,
        split: true,
      });
      const without = sidecarGroups(bare.dir);
      expect(without.get('fork/agents')).not.toBe(without.get('acme/agents'));
    } finally {
      bare.cleanup();
    }
  });
});
