import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import { loadConfig } from '../../src/core/config.js';
import type { Ping } from '../../src/core/contract/index.js';
import { pct } from '../../src/core/figures.js';
import { factsFromPing, readCounters, recordResult } from '../../src/core/run-counters.js';
import { readJsonlCounters } from '../../src/dashboard/jsonl-counters.js';
import { renderMonitor } from '../../src/dashboard/monitor-view.js';
import { buildSnapshot, type StatsSnapshot } from '../../src/dashboard/stats.js';
import { writeTestData } from '../../src/testdata/index.js';
import { startTestDashboard } from '../dashboard/helpers.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';

/**
 * One input, four views: the audit (audit.json, report, dataset card), the monitor (from the
 * files and from the live Redis counters) and the dashboard's /api/stats must give the same
 * figures — status counts, effective size, framework counts and shares, rows per reason.
 */
const tmp = tempDir('same-figures');
const dataDir = path.join(tmp.dir, 'data');
const prefix = uniquePrefix('figures');
const redis = testRedis();

type AuditJson = {
  sections: {
    volume: {
      by_status: Record<string, number>;
      effective_size: number;
      failure_reasons: { status: string; reason: string; rows: number }[];
    };
    frameworks: { frameworks: { framework: string; repos: number; share_of_effective: number }[] };
  };
};

let audit: AuditJson;
let report: string;
let card: string;
let fromFiles: StatsSnapshot;
let fromRedis: StatsSnapshot;
let fromDashboard: StatsSnapshot;

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  const input = path.join(dataDir, 'scan_results.jsonl');
  await writeTestData({ count: 400, seed: 11, output: input, workers: 1 });
  const result = await runAudit({ input, outDir: dataDir });
  audit = JSON.parse(readFileSync(result.auditJsonPath, 'utf8'));
  report = readFileSync(result.reportPath, 'utf8');
  card = readFileSync(path.join(dataDir, 'DATASET_CARD.md'), 'utf8');

  const now = Date.now();
  const files = await readJsonlCounters(dataDir);
  fromFiles = buildSnapshot({ counters: files.counters, queue: null, now, source: 'jsonl', sourceNote: '' });
  for (const line of readFileSync(input, 'utf8').split('\n').filter(Boolean))
    await recordResult(redis, prefix, factsFromPing(JSON.parse(line) as Ping, now));
  fromRedis = buildSnapshot({
    counters: await readCounters(redis, prefix),
    queue: null,
    now,
    source: 'redis',
    sourceNote: '',
  });
  const board = await startTestDashboard({
    config: loadConfig({ STRATUM_QUEUE_PREFIX: prefix }),
    dataDir,
    readOnly: true,
  });
  try {
    fromDashboard = (await (await fetch(`${board.url}/api/stats`)).json()) as StatsSnapshot;
  } finally {
    await board.close();
  }
}, 120_000);

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  tmp.cleanup();
});

describe('the same input gives the same figure in every view', () => {
  it('status counts and the effective size (success + partial)', () => {
    const byStatus = audit.sections.volume.by_status;
    for (const view of [fromFiles, fromRedis, fromDashboard]) {
      for (const status of ['success', 'partial', 'empty', 'failed'])
        expect({ status, n: view.byStatus[status as 'success'] }).toEqual({ status, n: byStatus[status] });
      expect(view.effective).toBe(audit.sections.volume.effective_size);
    }
    expect(audit.sections.volume.effective_size).toBeGreaterThan(0);
    expect(card).toContain(`${audit.sections.volume.effective_size} with scan data (success + partial)`);
  });

  it('framework counts, and shares over the effective rows in the monitor and the report', () => {
    const frameworks = audit.sections.frameworks.frameworks.filter((f) => f.repos > 0);
    const monitor = renderMonitor(fromRedis);
    for (const view of [fromFiles, fromRedis, fromDashboard])
      for (const f of view.topFrameworks)
        expect({ f: f.name, n: f.count }).toEqual({
          f: f.name,
          n: frameworks.find((a) => a.framework === f.name)?.repos,
        });
    for (const f of fromRedis.topFrameworks) {
      const share = pct(f.count, fromRedis.effective);
      const audited = frameworks.find((a) => a.framework === f.name);
      expect(share).toBe(pct(audited?.repos ?? -1, audit.sections.volume.effective_size));
      expect(monitor).toMatch(new RegExp(`${f.name}\\s+${f.count}\\s+${share.replace('.', '\\.')}`));
      expect(report).toContain(`| ${f.name} | ${f.count} | ${share} |`);
    }
  });

  it('rows per failure reason, every partial and failed row counted (none without a reason)', () => {
    const audited = new Map<string, number>();
    for (const r of audit.sections.volume.failure_reasons)
      audited.set(r.reason, (audited.get(r.reason) ?? 0) + r.rows);
    const listed = (status: string) =>
      audit.sections.volume.failure_reasons
        .filter((r) => r.status === status)
        .reduce((n, r) => n + r.rows, 0);
    expect(listed('partial')).toBe(audit.sections.volume.by_status.partial);
    expect(listed('failed')).toBe(audit.sections.volume.by_status.failed);
    for (const view of [fromFiles, fromRedis, fromDashboard])
      for (const f of view.topFailures)
        expect({ r: f.reason, n: f.count }).toEqual({ r: f.reason, n: audited.get(f.reason) });
  });
});
