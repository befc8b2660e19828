import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Ping, QuarantineRecord } from '../../core/contract/index.js';
import { JsonlAppender } from '../../core/jsonl.js';
import type { Logger } from '../../core/logger.js';
import { dataFile } from '../../core/paths.js';
import { type ResultFacts, readCounters, recordResult, runKeys } from '../../core/run-counters.js';
import { PIPELINE_VERSION } from '../../core/version.js';
import { readBackfillReport } from '../../producer/backfill/backfill-report.js';
import { outcomeOfRow, recordStratumOutcomes } from '../../producer/backfill/stratum-outcomes.js';
import { failureRow } from '../failure-row.js';
import type { ScanJobData, ScanJobResult } from '../job-data.js';
import { isQueueEmpty, queueSize, type ScanQueue } from '../queue.js';
import { factsOfRow } from './row-facts.js';
import { buildRunLog, writeRunLog } from './run-log.js';
import { readWrittenRows } from './written-rows.js';

export interface ResultWriterOptions {
  dataDir: string;
  prefix: string;
  redis: Redis;
  queue: ScanQueue;
  logger: Logger;
  secrets: readonly string[];
  /** TTL of the single-writer lock (renewed at a third of it). */
  lockTtlMs: number;
  /** How long to wait for a previous writer's lock to expire (default: the TTL + 1 s). */
  lockWaitMs?: number;
  /** Jobs read per batch (one fsync per batch). */
  batchSize?: number;
  /** Rewrite pipeline_run_log.json after this many new rows. */
  runLogEvery?: number;
}

type Row = { file: 'results'; value: Ping } | { file: 'quarantine'; value: QuarantineRecord };

/**
 * The single result writer. For each finished job: append its row to scan_results.jsonl or
 * quarantine.jsonl and fsync, then update the Redis counters, then remove the job. A crash
 * between any two steps loses nothing (the job is still there) and duplicates nothing (on
 * start the files are read back: repositories already written are skipped, and their counters
 * are re-applied idempotently). A Redis lock keeps a second writer from starting.
 */
export class ResultWriter {
  private written = new Set<string>();
  private sinceRunLog = 0;
  private lockTimer: NodeJS.Timeout | undefined;
  /** Rows appended by this process. */
  appended = 0;
  duplicatesDropped = 0;

  private constructor(
    private readonly o: ResultWriterOptions,
    private readonly results: JsonlAppender,
    private readonly quarantine: JsonlAppender,
    private readonly lockKey: string,
    private readonly lockValue: string,
  ) {}

  static async open(o: ResultWriterOptions): Promise<ResultWriter> {
    const lockKey = `${o.prefix}:writer:lock`;
    const lockValue = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    // A writer killed with -9 leaves its lock until the TTL runs out: wait that long first.
    const deadline = Date.now() + (o.lockWaitMs ?? o.lockTtlMs + 1000);
    let got = await o.redis.set(lockKey, lockValue, 'PX', o.lockTtlMs, 'NX');
    while (got !== 'OK' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 200));
      got = await o.redis.set(lockKey, lockValue, 'PX', o.lockTtlMs, 'NX');
    }
    if (got !== 'OK') {
      const holder = await o.redis.get(lockKey);
      throw new Error(
        `another result writer is running for prefix "${o.prefix}" (${holder}); exactly one writer may run`,
      );
    }
    await fs.mkdir(o.dataDir, { recursive: true });
    const results = await JsonlAppender.open(dataFile(o.dataDir, 'scanResults'));
    const quarantine = await JsonlAppender.open(dataFile(o.dataDir, 'quarantine'));
    for (const a of [results, quarantine])
      if (a.repairedBytes > 0)
        o.logger.warn({ file: a.file, bytes: a.repairedBytes }, 'cut a torn last line left by a crash');
    const writer = new ResultWriter(o, results, quarantine, lockKey, lockValue);
    writer.lockTimer = setInterval(() => void writer.renewLock(), Math.max(200, Math.floor(o.lockTtlMs / 3)));
    writer.lockTimer.unref();
    await writer.reconcile();
    return writer;
  }

  /** Repositories that already have their row (read from the files at open, then kept up to date). */
  hasWritten(repoFullName: string): boolean {
    return this.written.has(repoFullName);
  }

  get writtenCount(): number {
    return this.written.size;
  }

  private async renewLock(): Promise<void> {
    try {
      // Renew only our own lock (a writer that lost it must not steal it back silently).
      const renewed = await this.o.redis.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end",
        1,
        this.lockKey,
        this.lockValue,
        this.o.lockTtlMs,
      );
      if (renewed !== 1) this.o.logger.error('result writer lock lost: another writer may be running');
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'could not renew the writer lock');
    }
  }

  /** Reads the files back; counters missing in Redis (wiped, or a crash before recording) are re-applied. */
  private async reconcile(): Promise<void> {
    let pending: ResultFacts[] = [];
    let outcomes: ReturnType<typeof outcomeOfRow>[] = [];
    let reapplied = 0;
    const flush = async () => {
      const added = await Promise.all(pending.map((f) => recordResult(this.o.redis, this.o.prefix, f)));
      await recordStratumOutcomes(this.o.redis, this.o.prefix, outcomes);
      reapplied += added.filter(Boolean).length;
      pending = [];
      outcomes = [];
    };
    let duplicatesInFiles = 0;
    for await (const row of readWrittenRows(this.o.dataDir)) {
      if (this.written.has(row.value.repo_full_name)) {
        duplicatesInFiles++;
        continue;
      }
      this.written.add(row.value.repo_full_name);
      pending.push(factsOfRow(row.file, row.value));
      outcomes.push(outcomeOfRow(row.file, row.value));
      if (pending.length >= 500) await flush();
    }
    await flush();
    if (reapplied > 0) this.o.logger.info({ reapplied }, 'counters re-applied from the result files');
    if (duplicatesInFiles > 0)
      this.o.logger.error({ duplicatesInFiles }, 'the result files already hold duplicate rows');
  }

  /** Writes the rows of up to one batch of finished jobs. Returns how many jobs were handled. */
  async drainOnce(): Promise<number> {
    const n = this.o.batchSize ?? 200;
    const completed = (await this.o.queue.getJobs(['completed'], 0, n - 1, true)) as Job<
      ScanJobData,
      ScanJobResult
    >[];
    const failed = (await this.o.queue.getJobs(['failed'], 0, n - 1, true)) as Job<
      ScanJobData,
      ScanJobResult
    >[];
    const jobs = [...completed, ...failed].filter((j): j is Job<ScanJobData, ScanJobResult> => Boolean(j));
    if (jobs.length === 0) return 0;

    const batchNames = new Set<string>();
    const rows: Row[] = [];
    for (const job of jobs) {
      const row = this.rowOf(job, failed.includes(job));
      if (!row) continue;
      const name = row.value.repo_full_name;
      if (this.written.has(name) || batchNames.has(name)) {
        this.duplicatesDropped++;
        this.o.logger.warn(
          { repo: name, job: job.id },
          'dropped a second result for a repository already written',
        );
        continue;
      }
      batchNames.add(name);
      rows.push(row);
    }
    // 1. durable on disk, 2. counted, 3. acknowledged (removed from Redis).
    await this.results.append(rows.filter((r) => r.file === 'results').map((r) => r.value));
    await this.quarantine.append(rows.filter((r) => r.file === 'quarantine').map((r) => r.value));
    for (const name of batchNames) this.written.add(name);
    this.appended += rows.length;
    const now = Date.now();
    await Promise.all(
      rows.map((r) => recordResult(this.o.redis, this.o.prefix, factsOfRow(r.file, r.value, now))),
    );
    // Per-stratum effective rows, read by the back-fill: counted before the jobs are removed.
    await recordStratumOutcomes(
      this.o.redis,
      this.o.prefix,
      rows.map((r) => outcomeOfRow(r.file, r.value)),
    );
    await Promise.all(
      jobs.map((j) =>
        j
          .remove()
          .catch((err: Error) =>
            this.o.logger.warn({ job: j.id, err: err.message }, 'could not remove a written job'),
          ),
      ),
    );
    this.sinceRunLog += rows.length;
    if (this.sinceRunLog >= (this.o.runLogEvery ?? 100)) {
      this.sinceRunLog = 0;
      await this.writeRunLog(null);
    }
    return jobs.length;
  }

  private rowOf(job: Job<ScanJobData, ScanJobResult>, failed: boolean): Row | undefined {
    const data = job.data;
    if (!data || typeof data.repo_full_name !== 'string' || data.repo_full_name === '') {
      this.o.logger.error(
        { job: job.id },
        'finished job without a repository in its data; no row can be written',
      );
      return undefined;
    }
    const rv = failed ? undefined : (job.returnvalue as ScanJobResult | null | undefined);
    if (rv?.kind === 'ping' && rv.ping) return { file: 'results', value: rv.ping };
    if (rv?.kind === 'quarantine' && rv.record) return { file: 'quarantine', value: rv.record };
    const detail = failed
      ? `job failed: ${job.failedReason ?? 'unknown reason'}`
      : 'job completed without a result';
    const duration = job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : 0;
    const r = failureRow({
      data,
      jobId: String(job.id),
      attempt: Math.max(1, job.attemptsMade),
      reason: 'worker_exception',
      detail,
      durationMs: duration,
      scannerVersion: `stratum-pipeline-${PIPELINE_VERSION}`,
      secrets: this.o.secrets,
      timing: { clone_ms: 0, scan_ms: 0, job_ms: duration },
    });
    return r.kind === 'ping' ? { file: 'results', value: r.ping } : { file: 'quarantine', value: r.record };
  }

  /** True when the producer has finished and no job is waiting, running, retrying or unwritten. */
  async runIsComplete(): Promise<boolean> {
    const finished = (await this.o.redis.hget(runKeys(this.o.prefix).meta, 'enqueue_finished')) === '1';
    return finished && isQueueEmpty(await queueSize(this.o.queue));
  }

  async writeRunLog(endedAt: Date | null): Promise<void> {
    const [counters, size] = await Promise.all([
      readCounters(this.o.redis, this.o.prefix),
      queueSize(this.o.queue),
    ]);
    const log = buildRunLog(counters, size, endedAt);
    const backfill = await readBackfillReport(this.o.redis, this.o.prefix);
    await writeRunLog(this.o.dataDir, backfill ? { ...log, backfill } : log);
  }

  /**
   * Drains until the run is complete (or `signal` aborts). `onProgress` is called after each
   * batch with the number of rows written so far.
   */
  async runUntilComplete(options: {
    pollMs: number;
    signal?: AbortSignal;
    onBatch?: () => void | Promise<void>;
  }): Promise<'complete' | 'stopped'> {
    while (!options.signal?.aborted) {
      const handled = await this.drainOnce();
      if (handled > 0) {
        await options.onBatch?.();
        continue;
      }
      if (await this.runIsComplete()) {
        await this.writeRunLog(new Date());
        return 'complete';
      }
      await new Promise((res) => setTimeout(res, options.pollMs));
    }
    return 'stopped';
  }

  async close(): Promise<void> {
    if (this.lockTimer) clearInterval(this.lockTimer);
    await this.results.close();
    await this.quarantine.close();
    await this.o.redis
      .eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        1,
        this.lockKey,
        this.lockValue,
      )
      .catch(() => undefined);
  }
}
