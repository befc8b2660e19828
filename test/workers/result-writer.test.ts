import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Ping, QuarantineRecord } from '../../src/core/contract/index.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { createRedis, SCAN_QUEUE_NAME } from '../../src/core/redis.js';
import { readCounters, runKeys } from '../../src/core/run-counters.js';
import { backfillKeys } from '../../src/producer/backfill/backfill-keys.js';
import { failureRow } from '../../src/workers/failure-row.js';
import { jobIdFor, type ScanJobData, type ScanJobResult } from '../../src/workers/job-data.js';
import { openScanQueue, type ScanQueue } from '../../src/workers/queue.js';
import { quarantineRecord } from '../../src/workers/validate/judge-output.js';
import { journalPath } from '../../src/workers/writer/replacements.js';
import { ResultWriter, type ResultWriterOptions } from '../../src/workers/writer/result-writer.js';
import { deleteKeysWithPrefix, testRedis, uniquePrefix } from '../support/redis.js';
import { jsonlRows } from '../support/result-files.js';
import { tempDir } from '../support/tmp.js';
import { testConfig } from './helpers.js';

// The result writer in-process against real Redis and a real BullMQ queue: jobs are finished
// by an in-process worker that returns the row each test chose, so every check below is about
// what the writer makes of finished jobs: the rows in the files, the counters, the queue.

const TEMPLATE = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../fixtures/scanners/success-template.json'), 'utf8'),
) as Ping;
const STRATUM = 'crewai_active';
const redis = testRedis();
const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

afterAll(() => redis.disconnect());

interface Harness {
  prefix: string;
  dataDir: string;
  conn: Redis;
  queue: ScanQueue;
  open(o?: Partial<ResultWriterOptions>): Promise<ResultWriter>;
}

function harness(): Harness {
  const prefix = uniquePrefix('writer');
  const data = tempDir('stratum-writer');
  const config = testConfig({ queuePrefix: prefix, dataDir: data.dir });
  const conn = createRedis(config);
  const queue = openScanQueue(config, conn);
  cleanups.push(
    data.cleanup,
    () => deleteKeysWithPrefix(redis, prefix),
    () => conn.disconnect(),
    () => queue.close(),
  );
  return {
    prefix,
    dataDir: data.dir,
    conn,
    queue,
    async open(o = {}) {
      const writer = await ResultWriter.open({
        dataDir: data.dir,
        prefix,
        redis: conn,
        queue,
        logger: silentLogger,
        secrets: [],
        lockTtlMs: 3000,
        ...o,
      });
      cleanups.push(() => writer.close());
      return writer;
    },
  };
}

function jobData(name: string, extra: Partial<ScanJobData> = {}): ScanJobData {
  return {
    repo_full_name: name,
    repo_url: `https://github.com/${name}`,
    repo_hash: 'abcdef0123456789',
    selection_stratum: STRATUM,
    github_size_kb: 10,
    ...extra,
  };
}

function successPing(name: string, extra: Partial<Ping> = {}): Ping {
  return {
    ...TEMPLATE,
    repo_full_name: name,
    repo_url: `https://github.com/${name}`,
    selection_stratum: STRATUM,
    ...extra,
  };
}

function failedPing(name: string, reason: 'clone_404' | 'clone_rate_limited', detail = 'gone'): Ping {
  const r = failureRow({
    data: jobData(name),
    jobId: jobIdFor(name),
    attempt: 1,
    reason,
    detail,
    durationMs: 5,
    scannerVersion: 'fake-0.0.1',
    secrets: [],
    timing: { clone_ms: 0, scan_ms: 0, job_ms: 5 },
  });
  if (r.kind !== 'ping') throw new Error('expected a failed ping');
  return r.ping;
}

function quarantined(name: string): QuarantineRecord {
  return quarantineRecord(
    jobData(name),
    { ...successPing(name), risk_score: 'high' },
    [{ pointer: '/risk_score', message: 'must be integer' }] as never,
    { jobId: jobIdFor(name), attempt: 1 },
  );
}

const timing = { clone_ms: 1, scan_ms: 1, job_ms: 2 };
const asPing = (ping: Ping): ScanJobResult => ({ kind: 'ping', ping, timing });

/** What the in-process worker does with one job: return this result, return nothing, or throw. */
type Finish = { data: ScanJobData; jobId?: string; delayMs?: number; attempts?: number } & (
  | { result: ScanJobResult }
  | { fail: string; failedRow?: Ping }
  | { nothing: true }
);

/** Adds the jobs and lets a worker finish them (in order), as the scan workers would. */
async function finishJobs(h: Harness, jobs: Finish[]): Promise<void> {
  const byId = new Map<string, Finish>();
  const before = await h.queue.getJobCounts('completed', 'failed');
  for (const f of jobs) {
    const id = f.jobId ?? jobIdFor(f.data.repo_full_name);
    byId.set(id, f);
    await h.queue.add('scan', f.data, {
      jobId: id,
      attempts: f.attempts ?? 1,
      removeOnComplete: false,
      removeOnFail: false,
    });
  }
  const conn = h.conn.duplicate();
  const worker = new Worker<ScanJobData, ScanJobResult | undefined>(
    SCAN_QUEUE_NAME,
    async (job: Job<ScanJobData>) => {
      const f = byId.get(String(job.id));
      if (!f) throw new Error(`unexpected job ${job.id}`);
      if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
      if ('fail' in f) {
        if (f.failedRow) await job.updateData({ ...job.data, failed_row: f.failedRow });
        throw new Error(f.fail);
      }
      return 'result' in f ? f.result : undefined;
    },
    { connection: conn, prefix: h.prefix, concurrency: 1 },
  );
  try {
    const want = (before.completed ?? 0) + (before.failed ?? 0) + jobs.length;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const c = await h.queue.getJobCounts('completed', 'failed');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= want) break;
      if (Date.now() > deadline) throw new Error('jobs did not finish');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await worker.close();
    conn.disconnect();
  }
}

const lines = jsonlRows;
const results = (h: Harness) => lines(h.dataDir, 'scan_results.jsonl');
const quarantine = (h: Harness) => lines(h.dataDir, 'quarantine.jsonl');
const names = (rows: any[]) => rows.map((r) => r.repo_full_name);

async function markEnqueueFinished(h: Harness): Promise<void> {
  await h.conn.hset(runKeys(h.prefix).meta, 'enqueue_finished', '1');
}

/** A logger whose JSON lines are kept, to check what the operator is told. */
function recordingLogger() {
  const out: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      out.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger('writer-test', { level: 'info', pretty: false, destination });
  const entries = () => out.map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string });
  return { logger, entries, messages: () => entries().map((e) => e.msg) };
}

describe('the result writer: one row per finished job', () => {
  it('writes each row to its file, counts it, counts its stratum, and removes the job', async () => {
    const h = harness();
    await finishJobs(h, [
      {
        data: jobData('acme/crew'),
        result: asPing(successPing('acme/crew', { frameworks: ['CrewAI'], risk_score: 55 })),
      },
      { data: jobData('acme/gone'), result: asPing(failedPing('acme/gone', 'clone_404')) },
      {
        data: jobData('acme/broken'),
        result: { kind: 'quarantine', record: quarantined('acme/broken'), timing },
      },
    ]);
    const writer = await h.open();
    expect(await writer.drainOnce()).toBe(3);
    const byName = new Map(results(h).map((r) => [r.repo_full_name, r]));
    expect([...byName.keys()].sort()).toEqual(['acme/crew', 'acme/gone']);
    expect(byName.get('acme/crew')).toMatchObject({ scan_status: 'success', frameworks: ['CrewAI'] });
    expect(byName.get('acme/gone')).toMatchObject({ scan_status: 'failed', failure_reason: 'clone_404' });
    expect(names(quarantine(h))).toEqual(['acme/broken']);
    expect(writer.appended).toBe(3);
    expect(writer.writtenCount).toBe(3);
    expect(writer.hasWritten('acme/crew')).toBe(true);
    expect(writer.hasWritten('acme/other')).toBe(false);

    const c = await readCounters(h.conn, h.prefix);
    expect(c.results).toBe(3);
    expect(c.byStatus).toMatchObject({ success: 1, failed: 1, quarantined: 1 });
    expect(c.byFailure).toEqual({ clone_404: 1 });
    expect(c.byFramework).toEqual({ CrewAI: 1 });
    expect(c.byScoreBucket['41-60']).toBe(1);
    const outcome = await h.conn.hgetall(backfillKeys(h.prefix).outcome);
    expect(outcome).toEqual({
      [`${STRATUM}|written`]: '3',
      '*|written': '3',
      [`${STRATUM}|effective`]: '1',
      '*|effective': '1',
    });
    // Acknowledged: the queue holds nothing of them any more.
    expect(await h.queue.getJobCounts('completed', 'failed')).toEqual({ completed: 0, failed: 0 });
    expect(await writer.drainOnce()).toBe(0);
  });

  it('reads at most one batch per call', async () => {
    const h = harness();
    await finishJobs(
      h,
      // A few ms apart: jobs finished in the same millisecond have no order.
      ['b/one', 'b/two', 'b/three'].map((n) => ({
        data: jobData(n),
        result: asPing(successPing(n)),
        delayMs: 5,
      })),
    );
    const writer = await h.open({ batchSize: 2 });
    expect(await writer.drainOnce()).toBe(2);
    expect(names(results(h))).toEqual(['b/one', 'b/two']);
    expect(await writer.drainOnce()).toBe(1);
    expect(names(results(h))).toEqual(['b/one', 'b/two', 'b/three']);
  });
});

describe('the result writer never writes a repository twice', () => {
  it('a repository finished again after its row was written in this process is dropped', async () => {
    const h = harness();
    await finishJobs(h, [{ data: jobData('dup/repo'), result: asPing(successPing('dup/repo')) }]);
    const log = recordingLogger();
    const writer = await h.open({ logger: log.logger });
    expect(await writer.drainOnce()).toBe(1);
    // The same repository finishes again (a re-delivered job) in a later batch.
    await finishJobs(h, [
      { data: jobData('dup/repo'), result: asPing(failedPing('dup/repo', 'clone_404')) },
      { data: jobData('dup/next'), result: asPing(successPing('dup/next')) },
    ]);
    expect(await writer.drainOnce()).toBe(2);
    expect(names(results(h))).toEqual(['dup/repo', 'dup/next']);
    expect(results(h)[0].scan_status).toBe('success');
    expect(writer.duplicatesDropped).toBe(1);
    expect(log.entries()).toContainEqual(
      expect.objectContaining({
        msg: 'dropped a second result for a repository already written',
        repo: 'dup/repo',
        job: jobIdFor('dup/repo'),
      }),
    );
    expect(writer.appended).toBe(2);
    const c = await readCounters(h.conn, h.prefix);
    expect(c.results).toBe(2);
    expect(c.byStatus).toMatchObject({ success: 2, failed: 0 });
    // The dropped job is acknowledged too: nothing is left to write.
    expect(await h.queue.getJobCounts('completed')).toEqual({ completed: 0 });
  });

  it('two results for one repository in the same batch: the first is written, the second dropped', async () => {
    const h = harness();
    await finishJobs(h, [
      { data: jobData('twice/repo'), result: asPing(successPing('twice/repo')) },
      {
        data: jobData('twice/repo'),
        jobId: `${jobIdFor('twice/repo')}__again`,
        result: asPing(failedPing('twice/repo', 'clone_404')),
      },
    ]);
    const writer = await h.open();
    expect(await writer.drainOnce()).toBe(2);
    expect(results(h).map((r) => [r.repo_full_name, r.scan_status])).toEqual([['twice/repo', 'success']]);
    expect(writer.duplicatesDropped).toBe(1);
    expect((await readCounters(h.conn, h.prefix)).results).toBe(1);
  });

  it('rows already in the files (a previous writer) are never written again; wiped counters come back', async () => {
    const h = harness();
    const earlier = [
      successPing('old/one', { frameworks: ['LangGraph'] }),
      failedPing('old/two', 'clone_404'),
    ];
    // The same repository twice in the file (a past bug): it is counted once.
    writeFileSync(
      path.join(h.dataDir, 'scan_results.jsonl'),
      `${[...earlier, earlier[0]].map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
    writeFileSync(path.join(h.dataDir, 'quarantine.jsonl'), `${JSON.stringify(quarantined('old/three'))}\n`);
    const log = recordingLogger();
    const writer = await h.open({ logger: log.logger });
    expect(writer.writtenCount).toBe(3);
    expect(writer.hasWritten('old/three')).toBe(true);
    const c = await readCounters(h.conn, h.prefix);
    expect(c.results).toBe(3);
    expect(c.byStatus).toMatchObject({ success: 1, failed: 1, quarantined: 1 });
    expect(c.byFramework).toEqual({ LangGraph: 1 });
    expect(await h.conn.hget(backfillKeys(h.prefix).outcome, `${STRATUM}|written`)).toBe('3');
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ msg: 'the result files already hold duplicate rows', duplicatesInFiles: 1 }),
    );
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ msg: 'counters re-applied from the result files', reapplied: 3 }),
    );

    await finishJobs(h, [
      { data: jobData('old/one'), result: asPing(failedPing('old/one', 'clone_404')) },
      { data: jobData('old/three'), result: asPing(successPing('old/three')) },
      { data: jobData('new/one'), result: asPing(successPing('new/one')) },
    ]);
    expect(await writer.drainOnce()).toBe(3);
    expect(names(results(h))).toEqual(['old/one', 'old/two', 'old/one', 'new/one']);
    expect(names(quarantine(h))).toEqual(['old/three']);
    expect(writer.duplicatesDropped).toBe(2);
    expect((await readCounters(h.conn, h.prefix)).results).toBe(4);
  });

  it('counters already in Redis are not counted twice when a writer restarts', async () => {
    const h = harness();
    await finishJobs(h, [{ data: jobData('keep/one'), result: asPing(successPing('keep/one')) }]);
    const first = await h.open();
    await first.drainOnce();
    await first.close();
    const log = recordingLogger();
    const second = await h.open({ logger: log.logger });
    expect(second.writtenCount).toBe(1);
    expect((await readCounters(h.conn, h.prefix)).results).toBe(1);
    expect(log.messages()).not.toContain('counters re-applied from the result files');
    expect(log.messages()).not.toContain('the result files already hold duplicate rows');
  });

  it('a large result file is re-applied in batches, each row counted once', async () => {
    const h = harness();
    const many = Array.from({ length: 501 }, (_, i) => successPing(`big/r${i}`));
    writeFileSync(
      path.join(h.dataDir, 'scan_results.jsonl'),
      `${many.map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
    const log = recordingLogger();
    const writer = await h.open({ logger: log.logger });
    expect(writer.writtenCount).toBe(501);
    expect((await readCounters(h.conn, h.prefix)).results).toBe(501);
    expect(await h.conn.hgetall(backfillKeys(h.prefix).outcome)).toEqual({
      [`${STRATUM}|written`]: '501',
      '*|written': '501',
      [`${STRATUM}|effective`]: '501',
      '*|effective': '501',
    });
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ msg: 'counters re-applied from the result files', reapplied: 501 }),
    );
  });

  it('cuts a torn last line left by a crash and says so', async () => {
    const h = harness();
    writeFileSync(
      path.join(h.dataDir, 'scan_results.jsonl'),
      `${JSON.stringify(successPing('torn/ok'))}\n{"repo_full_name": "torn/half`,
    );
    const log = recordingLogger();
    const writer = await h.open({ logger: log.logger });
    expect(log.entries()).toContainEqual(
      expect.objectContaining({
        msg: 'cut a torn last line left by a crash',
        file: path.join(h.dataDir, 'scan_results.jsonl'),
        bytes: '{"repo_full_name": "torn/half'.length,
      }),
    );
    // The two files that were whole are not reported.
    expect(log.messages().filter((m) => m === 'cut a torn last line left by a crash')).toHaveLength(1);
    expect(writer.writtenCount).toBe(1);
    await finishJobs(h, [{ data: jobData('torn/half'), result: asPing(successPing('torn/half')) }]);
    await writer.drainOnce();
    expect(names(results(h))).toEqual(['torn/ok', 'torn/half']);
  });
});

describe('jobs without a usable result still end as exactly one row', () => {
  it('a failed job with the row its worker left → that row; the job is kept for a retry, once', async () => {
    const h = harness();
    const row = failedPing('retry/later', 'clone_rate_limited', 'HTTP 429');
    await finishJobs(h, [{ data: jobData('retry/later'), fail: 'rate limited', failedRow: row }]);
    const writer = await h.open();
    expect(await writer.drainOnce()).toBe(1);
    expect(results(h)).toEqual([row]);
    // Kept in the queue (a retry from bull-board can replace the row), and never written again.
    expect(await h.queue.getJobCounts('failed')).toEqual({ failed: 1 });
    expect(await h.conn.smembers(runKeys(h.prefix).kept)).toEqual([jobIdFor('retry/later')]);
    expect(await writer.drainOnce()).toBe(0);
    expect(results(h)).toHaveLength(1);
    expect((await readCounters(h.conn, h.prefix)).byFailure).toEqual({ clone_rate_limited: 1 });
    await markEnqueueFinished(h);
    expect(await writer.runIsComplete()).toBe(true);
  });

  it('a failed job with no row, or a row of no failure reason → worker_exception with the reason', async () => {
    const h = harness();
    const notAFailure = {
      ...failedPing('fail/odd', 'clone_404'),
      failure_reason: 'no_such_code',
    } as unknown as Ping;
    await finishJobs(h, [
      { data: jobData('fail/plain'), fail: 'ENOSPC: no space left on device' },
      { data: jobData('fail/odd'), fail: 'boom', failedRow: notAFailure },
    ]);
    const writer = await h.open();
    expect(await writer.drainOnce()).toBe(2);
    const byName = new Map(results(h).map((r) => [r.repo_full_name, r]));
    expect(byName.get('fail/plain')).toMatchObject({
      scan_status: 'failed',
      failure_reason: 'worker_exception',
    });
    expect(byName.get('fail/plain').failure_detail).toMatch(/^job failed: ENOSPC: no space left on device/);
    expect(byName.get('fail/odd')).toMatchObject({ failure_reason: 'worker_exception' });
    expect(byName.get('fail/odd').failure_detail).toMatch(/^job failed: boom/);
    expect(byName.get('fail/plain').scanner_version).toMatch(/^stratum-pipeline-/);
    expect((await readCounters(h.conn, h.prefix)).byFailure).toEqual({ worker_exception: 2 });
  });

  it('failed jobs are written newest first, at most a batch of them per call', async () => {
    const h = harness();
    await finishJobs(h, [
      { data: jobData('f/older'), fail: 'one' },
      { data: jobData('f/newer'), fail: 'two', delayMs: 5 },
    ]);
    const writer = await h.open({ batchSize: 1 });
    expect(await writer.drainOnce()).toBe(1);
    expect(names(results(h))).toEqual(['f/newer']);
    expect(await writer.drainOnce()).toBe(1);
    expect(names(results(h))).toEqual(['f/newer', 'f/older']);
    expect(await writer.drainOnce()).toBe(0);
  });

  it('every unwritten failed job is written in one batch', async () => {
    const h = harness();
    await finishJobs(
      h,
      ['f/a', 'f/b', 'f/c'].map((n) => ({ data: jobData(n), fail: 'boom' })),
    );
    const writer = await h.open();
    expect(await writer.drainOnce()).toBe(3);
    expect(names(results(h)).sort()).toEqual(['f/a', 'f/b', 'f/c']);
  });

  it("a failed job never writes another repository's row; its row says how long it ran", async () => {
    const h = harness();
    await finishJobs(h, [
      {
        data: jobData('own/repo'),
        fail: 'boom',
        failedRow: failedPing('someone/else', 'clone_404'),
        delayMs: 60,
      },
    ]);
    const writer = await h.open();
    await writer.drainOnce();
    expect(results(h)).toHaveLength(1);
    expect(results(h)[0]).toMatchObject({ repo_full_name: 'own/repo', failure_reason: 'worker_exception' });
    expect(results(h)[0].scan_duration_ms).toBeGreaterThanOrEqual(50);
    expect(results(h)[0].scan_duration_ms).toBeLessThan(20_000);
  });

  it('a result of the right kind but without its row → worker_exception', async () => {
    const h = harness();
    await finishJobs(h, [
      { data: jobData('kind/ping'), result: { kind: 'ping', timing } as unknown as ScanJobResult },
      {
        data: jobData('kind/quarantine'),
        result: { kind: 'quarantine', timing } as unknown as ScanJobResult,
      },
    ]);
    const writer = await h.open();
    await writer.drainOnce();
    expect(results(h).map((r) => [r.repo_full_name, r.failure_reason])).toEqual([
      ['kind/ping', 'worker_exception'],
      ['kind/quarantine', 'worker_exception'],
    ]);
  });

  it('the failure row of a name that breaks the schema goes to quarantine.jsonl', async () => {
    const h = harness();
    await finishJobs(h, [{ data: jobData('ab'), fail: 'boom', attempts: 2 }]);
    const writer = await h.open();
    await writer.drainOnce();
    expect(results(h)).toEqual([]);
    expect(quarantine(h)).toHaveLength(1);
    expect(quarantine(h)[0]).toMatchObject({
      repo_full_name: 'ab',
      job_id: jobIdFor('ab'),
      attempts: 2,
      ping: { failure_reason: 'worker_exception' },
    });
    expect((await readCounters(h.conn, h.prefix)).byStatus.quarantined).toBe(1);
  });

  it('a completed job with no result → worker_exception; a job with no repository → no row', async () => {
    const h = harness();
    await finishJobs(h, [
      { data: jobData('done/empty'), nothing: true },
      { data: { ...jobData('x/y'), repo_full_name: '' }, jobId: 'no-name', nothing: true },
      { data: { ...jobData('x/y'), repo_full_name: 7 as never }, jobId: 'number-name', nothing: true },
    ]);
    const log = recordingLogger();
    const writer = await h.open({ logger: log.logger });
    expect(await writer.drainOnce()).toBe(3);
    expect(results(h)).toHaveLength(1);
    expect(results(h)[0]).toMatchObject({
      repo_full_name: 'done/empty',
      failure_reason: 'worker_exception',
      failure_detail: 'job completed without a result',
    });
    expect(quarantine(h)).toEqual([]);
    expect(log.entries()).toContainEqual(
      expect.objectContaining({
        msg: 'finished job without a repository in its data; no row can be written',
        job: 'number-name',
      }),
    );
    expect(await h.queue.getJobCounts('completed')).toEqual({ completed: 0 });
  });
});

describe('replacement rows (rescan, retry)', () => {
  it('goes through the journal: the files keep the old row until the merge, the counters swap at once', async () => {
    const h = harness();
    await finishJobs(h, [{ data: jobData('re/scan'), result: asPing(failedPing('re/scan', 'clone_404')) }]);
    const writer = await h.open();
    await writer.drainOnce();
    const fresh = successPing('re/scan', { frameworks: ['CrewAI'] });
    await finishJobs(h, [{ data: jobData('re/scan', { replace: true }), result: asPing(fresh) }]);
    expect(await writer.drainOnce()).toBe(1);
    expect(results(h).map((r) => r.scan_status)).toEqual(['failed']);
    expect(lines(h.dataDir, path.basename(journalPath(h.dataDir)))).toEqual([
      { file: 'results', row: fresh },
    ]);
    expect(writer.replacedRows).toBe(1);
    expect(writer.appended).toBe(2);
    expect(writer.duplicatesDropped).toBe(0);
    let c = await readCounters(h.conn, h.prefix);
    expect(c).toMatchObject({ results: 1, replaced: 1 });
    expect(c.byStatus).toMatchObject({ success: 1, failed: 0 });
    expect(c.byFailure).toEqual({});

    // The same replacement delivered again is neither journaled nor counted twice.
    await finishJobs(h, [{ data: jobData('re/scan', { replace: true }), result: asPing(fresh) }]);
    await writer.drainOnce();
    expect(lines(h.dataDir, path.basename(journalPath(h.dataDir)))).toHaveLength(1);
    expect((await readCounters(h.conn, h.prefix)).replaced).toBe(1);

    await writer.close();
    expect(results(h)).toEqual([fresh]);
    expect(existsSync(journalPath(h.dataDir))).toBe(false);
    c = await readCounters(h.conn, h.prefix);
    expect(c).toMatchObject({ results: 1, replaced: 1 });
  });

  it('a replacement of a repository with no row yet is an ordinary row', async () => {
    const h = harness();
    await finishJobs(h, [
      { data: jobData('re/new', { replace: true }), result: asPing(successPing('re/new')) },
    ]);
    const writer = await h.open();
    await writer.drainOnce();
    expect(names(results(h))).toEqual(['re/new']);
    expect(lines(h.dataDir, path.basename(journalPath(h.dataDir)))).toEqual([]);
    expect(writer.replacedRows).toBe(0);
  });

  it('is merged into the files once the journal holds mergeEvery rows', async () => {
    const h = harness();
    await finishJobs(h, [{ data: jobData('re/merge'), result: asPing(failedPing('re/merge', 'clone_404')) }]);
    const log = recordingLogger();
    const writer = await h.open({ mergeEvery: 1, runLogEvery: 2, logger: log.logger });
    await writer.drainOnce();
    expect(log.messages()).not.toContain('replaced rows merged into the result files');
    const fresh = successPing('re/merge');
    await finishJobs(h, [{ data: jobData('re/merge', { replace: true }), result: asPing(fresh) }]);
    await writer.drainOnce();
    expect(results(h)).toEqual([fresh]);
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ msg: 'replaced rows merged into the result files', replaced: 1, dropped: 1 }),
    );
    // The replacement counts as a row toward the run log (a row, then a replacement: two).
    expect(existsSync(path.join(h.dataDir, 'pipeline_run_log.json'))).toBe(true);
    // The appenders were reopened on the merged files: the next row lands after it.
    await finishJobs(h, [{ data: jobData('re/after'), result: asPing(successPing('re/after')) }]);
    await writer.drainOnce();
    expect(names(results(h))).toEqual(['re/merge', 're/after']);
  });

  it('a journal left by a crash is counted once and merged when the next writer opens', async () => {
    const h = harness();
    const old = failedPing('crash/repo', 'clone_404');
    const fresh = successPing('crash/repo');
    const other = successPing('crash/new');
    writeFileSync(path.join(h.dataDir, 'scan_results.jsonl'), `${JSON.stringify(old)}\n`);
    const journal = [
      { file: 'results', row: fresh },
      { file: 'results', row: fresh },
      { file: 'results', row: other },
    ];
    writeFileSync(journalPath(h.dataDir), `${journal.map((j) => JSON.stringify(j)).join('\n')}\n`);
    const writer = await h.open();
    expect(results(h)).toEqual([fresh, other]);
    expect(lines(h.dataDir, path.basename(journalPath(h.dataDir)))).toEqual([]);
    expect(writer.hasWritten('crash/new')).toBe(true);
    const c = await readCounters(h.conn, h.prefix);
    expect(c).toMatchObject({ results: 2, replaced: 1 });
    expect(c.byStatus).toMatchObject({ success: 2, failed: 0 });
  });
});

describe('the end of a run', () => {
  it('is complete only when the producer has finished and every job is written', async () => {
    const h = harness();
    const writer = await h.open();
    expect(await writer.runIsComplete()).toBe(false);
    await markEnqueueFinished(h);
    expect(await writer.runIsComplete()).toBe(true);
    await h.queue.add('scan', jobData('wait/ing'), { jobId: jobIdFor('wait/ing') });
    expect(await writer.runIsComplete()).toBe(false);
    await (await h.queue.getJob(jobIdFor('wait/ing')))?.remove();
    await finishJobs(h, [{ data: jobData('fail/unwritten'), fail: 'boom' }]);
    expect(await writer.runIsComplete()).toBe(false);
    expect(await writer.runUntilComplete({ pollMs: 10 })).toBe('complete');
    expect(names(results(h))).toEqual(['fail/unwritten']);
    const log = JSON.parse(readFileSync(path.join(h.dataDir, 'pipeline_run_log.json'), 'utf8'));
    expect(log.results_written).toBe(1);
    expect(log.ended_at).toBeTruthy();
  });

  it('keeps polling while the run is not complete, and ends once it is', async () => {
    const h = harness();
    const log = recordingLogger();
    const writer = await h.open({ logger: log.logger });
    let ended = false;
    const run = writer.runUntilComplete({ pollMs: 20 }).finally(() => {
      ended = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(ended).toBe(false);
    await markEnqueueFinished(h);
    expect(await run).toBe('complete');
    // Nothing was replaced: the final merge has nothing to say.
    expect(log.messages()).not.toContain('replaced rows merged into the result files');
  });

  it('a complete run has its replacements merged into the files before it returns', async () => {
    const h = harness();
    await finishJobs(h, [{ data: jobData('end/re'), result: asPing(failedPing('end/re', 'clone_404')) }]);
    const writer = await h.open();
    await writer.drainOnce();
    const fresh = successPing('end/re');
    await finishJobs(h, [{ data: jobData('end/re', { replace: true }), result: asPing(fresh) }]);
    await markEnqueueFinished(h);
    expect(await writer.runUntilComplete({ pollMs: 10 })).toBe('complete');
    expect(results(h)).toEqual([fresh]);
  });

  it('runUntilComplete writes every batch, calls onBatch, and stops when asked', async () => {
    const h = harness();
    await finishJobs(
      h,
      ['u/one', 'u/two', 'u/three'].map((n) => ({
        data: jobData(n),
        result: asPing(successPing(n)),
        delayMs: 5,
      })),
    );
    const writer = await h.open({ batchSize: 1 });
    const ac = new AbortController();
    let batches = 0;
    const run = writer.runUntilComplete({
      pollMs: 10,
      signal: ac.signal,
      onBatch: () => {
        batches++;
      },
    });
    const deadline = Date.now() + 10_000;
    while (results(h).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    expect(await run).toBe('stopped');
    expect(batches).toBe(3);
    expect(names(results(h))).toEqual(['u/one', 'u/two', 'u/three']);
    expect(existsSync(path.join(h.dataDir, 'pipeline_run_log.json'))).toBe(false);
  });

  it('rewrites the run log every runLogEvery rows', async () => {
    const h = harness();
    await finishJobs(
      h,
      ['l/one', 'l/two', 'l/three'].map((n) => ({
        data: jobData(n),
        result: asPing(successPing(n)),
        delayMs: 5,
      })),
    );
    const writer = await h.open({ batchSize: 1, runLogEvery: 2 });
    const logFile = path.join(h.dataDir, 'pipeline_run_log.json');
    await writer.drainOnce();
    expect(existsSync(logFile)).toBe(false);
    await writer.drainOnce();
    const log = JSON.parse(readFileSync(logFile, 'utf8'));
    expect(log.results_written).toBe(2);
    expect(log.ended_at).toBeNull();
    // The count starts again: the next row alone does not rewrite it.
    rmSync(logFile);
    await writer.drainOnce();
    expect(names(results(h))).toEqual(['l/one', 'l/two', 'l/three']);
    expect(existsSync(logFile)).toBe(false);
  });

  it('close leaves only the result files in the data directory', async () => {
    const h = harness();
    await finishJobs(h, [{ data: jobData('tidy/one'), result: asPing(successPing('tidy/one')) }]);
    const writer = await h.open();
    await writer.drainOnce();
    await writer.close();
    expect(readdirSync(h.dataDir).sort()).toEqual(['quarantine.jsonl', 'scan_results.jsonl']);
  });
});

describe('exactly one writer per prefix', () => {
  it('a second writer is refused while the first holds the lock, kept alive past its TTL', async () => {
    const h = harness();
    const log = recordingLogger();
    const first = await h.open({ lockTtlMs: 600, logger: log.logger });
    await new Promise((r) => setTimeout(r, 1500));
    await expect(h.open({ lockTtlMs: 600, lockWaitMs: 0 })).rejects.toThrow(
      new RegExp(
        `another result writer is running for prefix "${h.prefix}" \\(.+:${process.pid}:[0-9a-f]{8}\\)`,
      ),
    );
    await first.close();
    expect(await h.conn.exists(`${h.prefix}:writer:lock`)).toBe(0);
    // A closed writer stops renewing (it would otherwise report its own released lock as lost).
    await new Promise((r) => setTimeout(r, 500));
    expect(log.messages()).not.toContain('result writer lock lost: another writer may be running');
    const second = await h.open({ lockWaitMs: 0 });
    expect(second.writtenCount).toBe(0);
  });

  it('waits for the lock of a writer killed without closing to run out', async () => {
    const h = harness();
    await h.conn.set(`${h.prefix}:writer:lock`, 'dead-writer', 'PX', 900);
    const started = Date.now();
    // It waits the TTL and a second more by default: longer than a writer's own lock can last.
    await h.open({ lockTtlMs: 600 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(await h.conn.get(`${h.prefix}:writer:lock`)).not.toBe('dead-writer');
  });

  it('a writer that cannot reach Redis to renew its lock says so', async () => {
    const h = harness();
    const log = recordingLogger();
    const own = h.conn.duplicate();
    const writer = await h.open({ lockTtlMs: 600, logger: log.logger, redis: own });
    own.disconnect();
    await new Promise((r) => setTimeout(r, 500));
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ msg: 'could not renew the writer lock', err: expect.any(String) }),
    );
    await writer.close();
  });

  it('a writer whose lock was taken says so and never takes it back or deletes it', async () => {
    const h = harness();
    const log = recordingLogger();
    const writer = await h.open({ lockTtlMs: 600, logger: log.logger });
    await h.conn.set(`${h.prefix}:writer:lock`, 'usurper', 'PX', 10_000);
    await new Promise((r) => setTimeout(r, 700));
    expect(log.messages()).toContain('result writer lock lost: another writer may be running');
    await writer.close();
    expect(await h.conn.get(`${h.prefix}:writer:lock`)).toBe('usurper');
  });
});
