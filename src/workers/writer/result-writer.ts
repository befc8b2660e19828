import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { FAILURE_CODES, type Ping, type QuarantineRecord, validatePing } from '../../core/contract/index.js';
import { JsonlAppender } from '../../core/jsonl.js';
import type { Logger } from '../../core/logger.js';
import { dataFile } from '../../core/paths.js';
import {
  type ResultFacts,
  readCounters,
  recordResult,
  replaceResult,
  runKeys,
} from '../../core/run-counters.js';
import { PIPELINE_VERSION } from '../../core/version.js';
import { readBackfillReport } from '../../producer/backfill/backfill-report.js';
import { outcomeOfRow, recordStratumOutcomes } from '../../producer/backfill/stratum-outcomes.js';
import { failureRow } from '../failure-row.js';
import type { ScanJobData, ScanJobResult } from '../job-data.js';
import { isQueueEmpty, queueSize, type ScanQueue } from '../queue.js';
import {
  journalPath,
  type MergeOutcome,
  mergeReplacements,
  type Replacement,
  readJournal,
  replacementToken,
} from './replacements.js';
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
  /** Merge the replacement journal into the result files once it holds this many rows (also at the end). */
  mergeEvery?: number;
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
  /** What each written repository's current row contributes to the counters (to take it away on replacement). */
  private facts = new Map<string, ResultFacts>();
  /** Tokens of the rows in the replacement journal (a re-delivered replacement is not journaled twice). */
  private journaled = new Set<string>();
  private sinceRunLog = 0;
  private lockTimer: NodeJS.Timeout | undefined;
  /** Rows appended by this process (replacements included). */
  appended = 0;
  /** Rows of this process that replaced an earlier row. */
  replacedRows = 0;
  duplicatesDropped = 0;

  private constructor(
    private readonly o: ResultWriterOptions,
    private results: JsonlAppender,
    private quarantine: JsonlAppender,
    private journal: JsonlAppender,
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
    const journal = await JsonlAppender.open(journalPath(o.dataDir));
    for (const a of [results, quarantine, journal])
      if (a.repairedBytes > 0)
        o.logger.warn({ file: a.file, bytes: a.repairedBytes }, 'cut a torn last line left by a crash');
    const writer = new ResultWriter(o, results, quarantine, journal, lockKey, lockValue);
    // Stryker disable next-line MethodExpression: renewing more often than a third of the TTL keeps the same lock
    writer.lockTimer = setInterval(() => void writer.renewLock(), Math.max(200, Math.floor(o.lockTtlMs / 3)));
    writer.lockTimer.unref();
    await writer.reconcile();
    // Replacements journaled before a crash (or an unfinished merge) are merged before anything else.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: merging an empty journal changes no file
    if (writer.journaled.size > 0) await writer.mergeJournal();
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
      const facts = factsOfRow(row.file, row.value);
      this.facts.set(row.value.repo_full_name, facts);
      pending.push(facts);
      outcomes.push(outcomeOfRow(row.file, row.value));
      // Stryker disable next-line ConditionalExpression,EqualityOperator: the batch size of the re-application only; every row is applied once either way
      if (pending.length >= 500) await flush();
    }
    await flush();
    // Replacements not merged yet: counted once each (idempotent by token), in journal order.
    for await (const r of readJournal(this.o.dataDir)) {
      const token = replacementToken(r);
      // Stryker disable next-line ConditionalExpression: recordResult and replaceResult are idempotent in Redis (per repository, per token): a repeated journal line counts once either way
      if (this.journaled.has(token)) continue;
      this.journaled.add(token);
      await this.countReplacement(r, token, Date.now());
    }
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
    const failed = await this.unwrittenFailedJobs(n);
    const jobs = [...completed, ...failed].filter((j): j is Job<ScanJobData, ScanJobResult> => Boolean(j));
    // Stryker disable next-line ConditionalExpression: an empty batch appends, counts and acknowledges nothing, and returns 0 either way
    if (jobs.length === 0) return 0;

    const batchNames = new Set<string>();
    const rows: Row[] = [];
    const replacements: Array<{ replacement: Replacement; token: string }> = [];
    for (const job of jobs) {
      const row = this.rowOf(job, failed.includes(job));
      if (!row) continue;
      const name = row.value.repo_full_name;
      // Stryker disable next-line OptionalChaining: rowOf returned a row, so the job has data
      if (batchNames.has(name) || (this.written.has(name) && !job.data?.replace)) {
        this.duplicatesDropped++;
        this.o.logger.warn(
          { repo: name, job: job.id },
          'dropped a second result for a repository already written',
        );
        continue;
      }
      batchNames.add(name);
      if (this.written.has(name)) {
        const replacement: Replacement = { file: row.file, row: row.value };
        const token = replacementToken(replacement);
        if (!this.journaled.has(token)) replacements.push({ replacement, token });
      } else rows.push(row);
    }
    // 1. durable on disk, 2. counted, 3. acknowledged (removed from Redis, or kept for retry).
    await this.results.append(rows.filter((r) => r.file === 'results').map((r) => r.value));
    await this.quarantine.append(rows.filter((r) => r.file === 'quarantine').map((r) => r.value));
    await this.journal.append(replacements.map((r) => r.replacement));
    for (const r of rows) this.written.add(r.value.repo_full_name);
    this.appended += rows.length + replacements.length;
    this.replacedRows += replacements.length;
    const now = Date.now();
    await Promise.all(
      rows.map((r) => {
        const facts = factsOfRow(r.file, r.value, now);
        this.facts.set(r.value.repo_full_name, facts);
        return recordResult(this.o.redis, this.o.prefix, facts);
      }),
    );
    // Per-stratum effective rows, read by the back-fill: counted before the jobs are removed.
    await recordStratumOutcomes(
      this.o.redis,
      this.o.prefix,
      rows.map((r) => outcomeOfRow(r.file, r.value)),
    );
    for (const { replacement, token } of replacements) {
      this.journaled.add(token);
      await this.countReplacement(replacement, token, now);
    }
    const kept = runKeys(this.o.prefix).kept;
    await Promise.all(
      jobs.map((j) =>
        (failed.includes(j) && j.data?.repo_full_name
          ? this.o.redis.sadd(kept, String(j.id))
          : j.remove()
        ).catch((err: Error) =>
          this.o.logger.warn({ job: j.id, err: err.message }, 'could not acknowledge a written job'),
        ),
      ),
    );
    this.sinceRunLog += rows.length + replacements.length;
    if (this.journaled.size >= (this.o.mergeEvery ?? 2000)) await this.mergeJournal();
    if (this.sinceRunLog >= (this.o.runLogEvery ?? 100)) {
      this.sinceRunLog = 0;
      await this.writeRunLog(null);
    }
    return jobs.length;
  }

  /** Swaps the counters of a repository's current row for those of its replacement. */
  private async countReplacement(r: Replacement, token: string, now: number): Promise<void> {
    const name = r.row.repo_full_name;
    const next = factsOfRow(r.file, r.row, now);
    const old = this.facts.get(name);
    if (old) await replaceResult(this.o.redis, this.o.prefix, token, old, next);
    else await recordResult(this.o.redis, this.o.prefix, next);
    this.facts.set(name, next);
    this.written.add(name);
  }

  /**
   * Failed jobs (a cause that may pass: the worker kept them failed so that they can be retried
   * from bull-board) whose row is not written yet: the ids not in the kept set, newest first.
   */
  private async unwrittenFailedJobs(n: number): Promise<Job<ScanJobData, ScanJobResult>[]> {
    const ids = await this.unwrittenFailedIds(n);
    const jobs = await Promise.all(ids.map((id) => this.o.queue.getJob(id)));
    return jobs.filter((j): j is Job<ScanJobData, ScanJobResult> => Boolean(j));
  }

  private async unwrittenFailedIds(n = Number.POSITIVE_INFINITY): Promise<string[]> {
    // Stryker disable next-line ConditionalExpression,ArrayDeclaration: a shortcut: no failed job gives no id below either, and an id no job has is dropped by getJob
    if ((await this.o.queue.getFailedCount()) === 0) return [];
    const ids = await this.o.queue.getRanges(['failed'], 0, -1, false);
    if (ids.length === 0) return [];
    const kept = await this.o.redis.smismember(runKeys(this.o.prefix).kept, ...ids);
    return ids.filter((_, i) => kept[i] !== 1).slice(0, n);
  }

  /**
   * Merges the replacement journal into the result files (replacements.ts): the appenders are
   * closed first (the files are renamed over) and reopened on the new files.
   */
  async mergeJournal(): Promise<MergeOutcome> {
    await this.results.close();
    await this.quarantine.close();
    await this.journal.close();
    let outcome: MergeOutcome;
    try {
      outcome = await mergeReplacements(this.o.dataDir);
    } finally {
      this.results = await JsonlAppender.open(dataFile(this.o.dataDir, 'scanResults'));
      this.quarantine = await JsonlAppender.open(dataFile(this.o.dataDir, 'quarantine'));
      this.journal = await JsonlAppender.open(journalPath(this.o.dataDir));
    }
    this.journaled.clear();
    if (outcome.replaced > 0)
      this.o.logger.info({ ...outcome }, 'replaced rows merged into the result files');
    return outcome;
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
    // The failed row the worker left in the job before failing it (kept for a retry).
    const kept = failed ? validatePing(data.failed_row, { repoFullName: data.repo_full_name }) : undefined;
    if (kept?.ok && (FAILURE_CODES as readonly unknown[]).includes(kept.value.failure_reason))
      return { file: 'results', value: kept.value };
    const detail = failed
      ? `job failed: ${job.failedReason ?? 'unknown reason'}`
      : 'job completed without a result';
    // Stryker disable next-line ConditionalExpression,LogicalOperator: BullMQ sets processedOn and finishedOn on every finished job
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
      // Stryker disable next-line ObjectLiteral: the writer writes the row only, never its timing
      timing: { clone_ms: 0, scan_ms: 0, job_ms: duration },
    });
    return r.kind === 'ping' ? { file: 'results', value: r.ping } : { file: 'quarantine', value: r.record };
  }

  /** True when the producer has finished and no job is waiting, running, retrying or unwritten. */
  async runIsComplete(): Promise<boolean> {
    const finished = (await this.o.redis.hget(runKeys(this.o.prefix).meta, 'enqueue_finished')) === '1';
    if (!finished) return false;
    const size = await queueSize(this.o.queue);
    // Failed jobs whose row is written stay in the queue for a retry: they are done.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with no failed job there is no unwritten one either
    if (size.failed > 0) size.failed = (await this.unwrittenFailedIds()).length;
    return isQueueEmpty(size);
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
        await this.mergeJournal();
        await this.writeRunLog(new Date());
        return 'complete';
      }
      await new Promise((res) => setTimeout(res, options.pollMs));
    }
    return 'stopped';
  }

  async close(): Promise<void> {
    // Stryker disable next-line ConditionalExpression: clearInterval(undefined) does nothing
    if (this.lockTimer) clearInterval(this.lockTimer);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: merging an empty journal changes no file
    if (this.journaled.size > 0)
      await this.mergeJournal().catch((err: Error) =>
        this.o.logger.error(
          { err: err.message },
          'could not merge the replacement journal (merged at next start)',
        ),
      );
    await this.results.close();
    await this.quarantine.close();
    await this.journal.close();
    // An empty journal is no state: leave the data directory as tidy as it was.
    const journalSize = await fs.stat(this.journal.file).then(
      (st) => st.size,
      // Stryker disable next-line ArrowFunction,UnaryOperator: any size but 0 keeps the file
      () => -1,
    );
    // Stryker disable next-line ObjectLiteral: the file was just found by stat
    if (journalSize === 0) await fs.rm(this.journal.file, { force: true });
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
