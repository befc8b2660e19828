import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { runScan } from '../../src/workers/run-scan.js';
import { GitRepoFactory, manifestRow, writeManifest } from '../support/git-repos.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { AGENT_REPO, testConfig } from './helpers.js';

/**
 * `scan` end to end (real git over file://, the fake scanner, Redis, the writer): two of the
 * three primary rows of a stratum cannot be cloned, so the back-fill scans reserve rows until
 * the stratum has its three effective rows; the run log tells each decision.
 */
describe('scan back-fills a stratum from its reserve rows', { timeout: 120_000 }, () => {
  const repos = new GitRepoFactory();
  const data = tempDir('scan-backfill-data');
  const work = tempDir('scan-backfill-work');
  const prefix = uniquePrefix('scanbf');
  let redis: Redis;

  beforeAll(() => {
    repos.create('acme/agents', { files: AGENT_REPO });
    for (let i = 1; i <= 4; i++) repos.copy('acme/agents', `res/r${i}`);
    redis = testRedis();
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    repos.cleanup();
    data.cleanup();
    work.cleanup();
  });

  it('scans primary rows, then just enough reserve rows, each once', async () => {
    const manifest = path.join(data.dir, 'repo_manifest.jsonl');
    const stratum = { selection_stratum: 'crew', matched_strata: ['crew'] };
    writeManifest(manifest, [
      manifestRow('acme/agents', repos.fileUrl('acme/agents'), stratum),
      manifestRow('gone/one', repos.fileUrl('gone/one'), stratum),
      manifestRow('gone/two', repos.fileUrl('gone/two'), stratum),
      ...[1, 2, 3, 4].map((i) =>
        manifestRow(`res/r${i}`, repos.fileUrl(`res/r${i}`), { ...stratum, reserve: true, reserve_rank: i }),
      ),
    ]);
    const config = testConfig({
      queuePrefix: prefix,
      dataDir: data.dir,
      workDir: work.dir,
      maxAttempts: 1,
      backfillPollMs: 50,
      backfillMinObserved: 1,
    });
    const summary = await runScan(
      { config, dataDir: data.dir, logger: silentLogger, secrets: [] },
      { manifest, workers: 2, resume: false, tty: false },
    );
    expect(summary.outcome).toBe('complete');
    expect(summary.enqueue).toMatchObject({ manifestCount: 3, reserveRows: 4 });
    expect(summary.backfill?.outcome).toBe('finished');
    const rows = readFileSync(path.join(data.dir, 'scan_results.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (l) => JSON.parse(l) as { repo_full_name: string; scan_status: string; selection_stratum: string },
      );
    const names = rows.map((r) => r.repo_full_name);
    expect(new Set(names).size).toBe(names.length);
    const effective = rows.filter((r) => r.scan_status === 'success' || r.scan_status === 'partial');
    expect(effective.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => r.selection_stratum === 'crew')).toBe(true);
    // Reserve rows in their seeded order, and not all of them unless needed.
    const reserveScanned = names.filter((n) => n.startsWith('res/')).sort();
    expect(reserveScanned).toEqual(['res/r1', 'res/r2', 'res/r3', 'res/r4'].slice(0, reserveScanned.length));
    const log = JSON.parse(readFileSync(path.join(data.dir, 'pipeline_run_log.json'), 'utf8'));
    expect(log.backfill.strata.crew).toMatchObject({ goal: 3, released: reserveScanned.length, gap: 0 });
    expect(log.backfill.strata.crew.effective).toBe(effective.length);
    expect(log.backfill.decisions.length).toBeGreaterThan(0);
    expect(log.backfill.decisions[0]).toMatchObject({ stratum: 'crew', goal: 3 });
    expect(log.enqueue_finished).toBe(true);
  });
});
