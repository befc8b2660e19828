import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import { replaceResult, runKeys } from '../../src/core/run-counters.js';
import { AuditOnDrain, readDrainMarker, servableReport } from '../../src/dashboard/audit-on-drain.js';
import type { AuditRequest, AuditRunner } from '../../src/dashboard/audit-runner.js';
import { runAuditSnapshot } from '../../src/dashboard/audit-snapshot.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { facts, record, seedMeta } from './helpers.js';

const redis = testRedis();
const connections: Redis[] = [];
let prefix: string;
let queue: Queue;
let dir: { dir: string; cleanup: () => void };

/** A real audit stand-in: writes a report into outDir and counts its calls. */
function countingRunner(options: { delayMs?: number; failTimes?: number; hang?: boolean } = {}) {
  const calls: AuditRequest[] = [];
  let failures = options.failTimes ?? 0;
  const run: AuditRunner = async (req) => {
    calls.push(req);
    if (options.hang) await new Promise(() => undefined);
    if (options.delayMs) await sleep(options.delayMs);
    if (failures-- > 0) throw new Error('disk full while writing the report');
    const reportPath = path.join(req.outDir, 'dataset_audit_report.md');
    writeFileSync(reportPath, `# audit\nrun ${calls.length}\n`);
    return {
      reportPath,
      auditJsonPath: path.join(req.outDir, 'audit.json'),
      gates: [
        { id: 'G1', name: 'rows', pass: true, evidence: 'ok' },
        { id: 'G2', name: 'dupes', pass: false, evidence: '1 duplicate' },
      ],
      rows: 3,
      corruptLines: 0,
    };
  };
  return { run, calls };
}

function trigger(runAudit: AuditRunner, over: Partial<ConstructorParameters<typeof AuditOnDrain>[0]> = {}) {
  const conn = testRedis();
  connections.push(conn);
  return new AuditOnDrain({ redis: conn, queue, prefix, dataDir: dir.dir, runAudit, ...over });
}

/** A drained run of 3 repositories: producer done, every row written, queue empty. */
async function drainedRun(runId = 'run-1') {
  await seedMeta(redis, prefix, { run_id: runId, manifest_count: 3, enqueued: 3, enqueue_finished: 1 });
  await record(redis, prefix, [facts('o/a'), facts('o/b'), facts('o/c')]);
  writeResults();
}

/** The writer's file (the trigger only checks that it is here; the audit reads it). */
function writeResults() {
  writeFileSync(path.join(dir.dir, 'scan_results.jsonl'), '{"repo_full_name":"o/a"}\n');
}

beforeEach(() => {
  prefix = uniquePrefix('drain');
  queue = new Queue(SCAN_QUEUE_NAME, { connection: testRedis(), prefix });
  dir = tempDir('drain');
});

afterEach(async () => {
  await queue.close();
  await deleteKeysWithPrefix(redis, prefix);
  for (const c of connections.splice(0)) c.disconnect();
  dir.cleanup();
});

afterAll(() => redis.disconnect());

describe('audit on drain', () => {
  it('waits for the queue, the producer and a lagging writer, then runs once — even across a restart', async () => {
    await seedMeta(redis, prefix, { run_id: 'run-1', manifest_count: 3, enqueued: 3, enqueue_finished: 0 });
    await record(redis, prefix, [facts('o/a'), facts('o/b')]);
    const job = await queue.add('scan', { repo: 'o/c' }, { jobId: 'scan__o__c' });
    const { run, calls } = countingRunner();

    const first = trigger(run);
    expect(await first.check()).toMatchObject({ action: 'waiting', reason: 'queue not drained (waiting 1)' });
    await job.remove();
    expect(await first.check()).toMatchObject({
      action: 'waiting',
      reason: 'producer has not finished enqueueing',
    });
    await seedMeta(redis, prefix, { enqueue_finished: 1 });
    // The queue is empty and the producer done, but the writer has not made the last row durable.
    expect(await first.check()).toMatchObject({
      action: 'waiting',
      reason: 'writer behind: 2 of 3 rows written',
    });
    expect(await first.check()).toMatchObject({ action: 'waiting' });
    await record(redis, prefix, [facts('o/c')]);
    // Every row is in Redis, but this dashboard's data directory has no results file (another machine).
    expect(await first.check()).toMatchObject({
      action: 'waiting',
      reason: `no ${path.join(dir.dir, 'scan_results.jsonl')} on this machine`,
    });
    writeResults();
    expect(await first.check()).toEqual({ action: 'settling', runId: 'run-1', streak: 1 });
    expect(calls).toHaveLength(0);

    // The dashboard restarts here: the new process has no memory of the first observation.
    const second = trigger(run);
    expect(await second.check()).toEqual({ action: 'settling', runId: 'run-1', streak: 1 });
    const ran = await second.check();
    expect(ran.action).toBe('ran');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      input: path.join(dir.dir, 'scan_results.jsonl'),
      outDir: dir.dir,
      split: true,
    });

    const marker = await readDrainMarker(redis, prefix, 'run-1');
    expect(marker).toMatchObject({
      state: 'done',
      gatesPassed: 1,
      gatesTotal: 2,
      attempts: 1,
      owner: second.owner,
    });
    expect(await redis.pttl(`${prefix}:audit:drain:run-1`)).toBe(-1);
    expect(servableReport(marker, dir.dir)).toBe(path.join(dir.dir, 'dataset_audit_report.md'));

    // Later checks, and later restarts, never run it again.
    expect(await second.check()).toEqual({ action: 'already-done', runId: 'run-1' });
    const third = trigger(run);
    for (let i = 0; i < 3; i++) expect((await third.check()).action).toBe('already-done');
    expect(calls).toHaveLength(1);
    expect(readFileSync(path.join(dir.dir, 'dataset_audit_report.md'), 'utf8')).toContain('run 1');
  });

  it('audits with the manifest the run was enqueued from, and waits or fails clearly without it', async () => {
    const elsewhere = tempDir('drain-manifest');
    try {
      const manifest = path.join(elsewhere.dir, 'reference_manifest.jsonl');
      writeFileSync(manifest, '{"repo_full_name":"o/a"}\n');
      // A different manifest in the data directory: the old default, which must not be used.
      writeFileSync(path.join(dir.dir, 'repo_manifest.jsonl'), '{"repo_full_name":"decoy/x"}\n');
      await drainedRun();
      const missing = path.join(elsewhere.dir, 'not-here.jsonl');
      await seedMeta(redis, prefix, { manifest_path: missing });
      const { run, calls } = countingRunner();
      const t = trigger(run, { stableChecks: 1, retryAfterMs: 60_000 });
      expect(await t.check()).toMatchObject({
        action: 'waiting',
        reason: `the run's manifest ${missing} is not on this machine`,
      });
      await seedMeta(redis, prefix, {
        manifest_path: manifest,
        manifest_sha256: createHash('sha256').update('something else').digest('hex'),
      });
      const changed = await t.check();
      expect(changed).toMatchObject({ action: 'failed' });
      expect(changed.action === 'failed' && changed.error).toMatch(
        /the run's manifest .*reference_manifest\.jsonl changed since it was enqueued/,
      );
      expect(calls).toHaveLength(0);

      await redis.del(`${prefix}:audit:drain:run-1`);
      await seedMeta(redis, prefix, {
        manifest_sha256: createHash('sha256').update(readFileSync(manifest)).digest('hex'),
      });
      expect(await t.check()).toMatchObject({ action: 'ran' });
      expect(calls.map((c) => c.manifest)).toEqual([manifest]);

      // Another machine: the recorded path is not there, but the data directory holds the same
      // bytes (the decoy above does not match the recorded sha256).
      await redis.del(`${prefix}:audit:drain:run-1`);
      await seedMeta(redis, prefix, { manifest_path: missing });
      expect(await t.check()).toMatchObject({ action: 'waiting' });
      writeFileSync(path.join(dir.dir, 'repo_manifest.jsonl'), readFileSync(manifest));
      expect(await t.check()).toMatchObject({ action: 'ran' });
      expect(calls.map((c) => c.manifest)).toEqual([manifest, path.join(dir.dir, 'repo_manifest.jsonl')]);
    } finally {
      elsewhere.cleanup();
    }
  });

  it('runs once when several dashboards see the drain at the same moment', async () => {
    await drainedRun();
    const { run, calls } = countingRunner({ delayMs: 150 });
    const boards = [trigger(run), trigger(run), trigger(run)];
    for (const b of boards) expect((await b.check()).action).toBe('settling');
    const results = await Promise.all(boards.map((b) => b.check()));
    expect(results.filter((r) => r.action === 'ran')).toHaveLength(1);
    expect(results.filter((r) => r.action !== 'ran').every((r) => r.action === 'busy')).toBe(true);
    expect(calls).toHaveLength(1);
    for (const b of boards) expect((await b.check()).action).toBe('already-done');
  });

  it('audits again, once, after a rescan or a retry has replaced rows since the last audit', async () => {
    await drainedRun();
    const { run, calls } = countingRunner({ delayMs: 100 });
    const boards = [trigger(run, { stableChecks: 1 }), trigger(run, { stableChecks: 1 })];
    expect((await boards[0]!.check()).action).toBe('ran');
    expect(await readDrainMarker(redis, prefix, 'run-1')).toMatchObject({ state: 'done', replaced: 0 });

    // A retry in bull-board replaces o/b's failed row with a success: the report is now stale.
    await replaceResult(redis, prefix, 'row-b-2', facts('o/b', { status: 'failed' }), facts('o/b'));
    const again = await Promise.all(boards.map((b) => b.check()));
    expect(again.map((r) => r.action).sort()).toEqual(['busy', 'ran']);
    expect(calls).toHaveLength(2);
    expect(readFileSync(path.join(dir.dir, 'dataset_audit_report.md'), 'utf8')).toContain('run 2');
    expect(await readDrainMarker(redis, prefix, 'run-1')).toMatchObject({ state: 'done', replaced: 1 });
    for (const b of boards) expect((await b.check()).action).toBe('already-done');

    // The same replacement replayed by a restarted writer counts nothing and audits nothing.
    await replaceResult(redis, prefix, 'row-b-2', facts('o/b', { status: 'failed' }), facts('o/b'));
    for (const b of boards) expect((await b.check()).action).toBe('already-done');
    expect(calls).toHaveLength(2);
  });

  it('re-runs an audit whose owner died mid-way, after its lease, and only then', async () => {
    await drainedRun();
    const hung = countingRunner({ hang: true });
    const crashing = trigger(hung.run, { leaseMs: 600 });
    await crashing.check();
    // Takes the marker and starts an audit that never finishes; it fails once its Redis is gone.
    crashing.check().catch(() => undefined);
    for (let i = 0; i < 100 && !(await readDrainMarker(redis, prefix, 'run-1')); i++) await sleep(20);
    expect(await readDrainMarker(redis, prefix, 'run-1')).toMatchObject({
      state: 'running',
      owner: crashing.owner,
    });
    // The owner's heartbeat keeps the lease while it lives...
    await sleep(800);
    expect(await readDrainMarker(redis, prefix, 'run-1')).toMatchObject({ state: 'running' });
    // ...then it loses Redis (killed, partitioned): nobody renews the lease.
    connections[0]!.disconnect();

    const { run, calls } = countingRunner();
    const survivor = trigger(run, { leaseMs: 600 });
    await survivor.check();
    expect(await survivor.check()).toMatchObject({ action: 'busy' });
    expect(calls).toHaveLength(0);
    await sleep(700);
    const ran = await survivor.check();
    expect(ran.action).toBe('ran');
    expect(calls).toHaveLength(1);
    expect(await readDrainMarker(redis, prefix, 'run-1')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('retries a failed audit after the back-off and records why it failed', async () => {
    await drainedRun();
    const { run, calls } = countingRunner({ failTimes: 1 });
    const board = trigger(run, { retryAfterMs: 300 });
    await board.check();
    expect(await board.check()).toMatchObject({
      action: 'failed',
      error: 'disk full while writing the report',
    });
    expect(await readDrainMarker(redis, prefix, 'run-1')).toMatchObject({
      state: 'failed',
      error: 'disk full while writing the report',
    });
    expect((await board.check()).action).toBe('busy');
    await sleep(400);
    expect((await board.check()).action).toBe('ran');
    expect(calls).toHaveLength(2);
    expect(await readDrainMarker(redis, prefix, 'run-1')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('keeps runs apart and does nothing without a run', async () => {
    const { run, calls } = countingRunner();
    const board = trigger(run);
    expect(await board.check()).toMatchObject({ action: 'no-run' });
    await drainedRun('run-1');
    await board.check();
    expect((await board.check()).action).toBe('ran');
    // A new run on the same prefix: new counters, new run id, its own audit.
    await redis.unlink(...Object.values(runKeys(prefix)));
    await drainedRun('run-2');
    await board.check();
    expect((await board.check()).action).toBe('ran');
    expect(calls).toHaveLength(2);
  });
});

describe('scheduled audit snapshot (--audit-cron)', () => {
  it('writes one snapshot per tick however many dashboards share the schedule', async () => {
    const { run, calls } = countingRunner();
    const now = () => Date.UTC(2026, 10, 25, 10, 30, 2);
    const opts = { redis, prefix, dataDir: dir.dir, runAudit: run, now };
    expect(await runAuditSnapshot(opts)).toEqual({ action: 'skipped', reason: 'no rows written yet' });
    await drainedRun();
    const other = testRedis();
    connections.push(other);
    const [a, b] = await Promise.all([runAuditSnapshot(opts), runAuditSnapshot({ ...opts, redis: other })]);
    expect([a.action, b.action].sort()).toEqual(['ran', 'skipped']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.outDir).toBe(path.join(dir.dir, 'audit-snapshots', '2026-11-25T10-30-00Z'));
    expect(readFileSync(path.join(calls[0]!.outDir, 'dataset_audit_report.md'), 'utf8')).toContain('# audit');
    // The next tick is another snapshot.
    const later = await runAuditSnapshot({ ...opts, now: () => Date.UTC(2026, 10, 25, 11, 0, 1) });
    expect(later.action).toBe('ran');
    expect(calls).toHaveLength(2);
  });
});
