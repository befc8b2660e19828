import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../core/config.js';
import { type FailureCode, prepareValidators } from '../core/contract/index.js';
import type { Logger } from '../core/logger.js';
import { createRedis, SCAN_QUEUE_NAME } from '../core/redis.js';
import { runKeys } from '../core/run-counters.js';
import { killAllProcessGroups } from '../core/run-process.js';
import { PIPELINE_VERSION } from '../core/version.js';
import { type Cloner, GitCloner } from './clone/cloner.js';
import { sparsePatternsOf } from './clone/sparse-patterns.js';
import { Workspace } from './clone/workspace.js';
import type { ScanJobData, ScanJobResult } from './job-data.js';
import { type JobDeps, processScanJob } from './process-job.js';
import { ProcessScannerRunner, resolveScannerCommand, type ScannerRunner } from './scan/scanner-runner.js';
import { warmCountsReporter } from './scan/warm-counts.js';
import {
  WARM_RECYCLE_ABOVE_RSS_BYTES,
  WARM_RECYCLE_AFTER_SCANS,
  type WarmScannerCounts,
  WarmScannerPool,
} from './scan/warm-scanner.js';
import { RETRYABLE_REASONS } from './writer/row-identity.js';

export interface ScanWorkerOptions {
  concurrency: number;
  logger: Logger;
  secrets: readonly string[];
  /** Replace the scanner (tests, benchmarks); default: STRATUM_SCANNER or the built-in scanner. */
  scanner?: ScannerRunner;
  /** Replace the cloner (benchmarks of the queue overhead); default: the hardened git cloner. */
  cloner?: Cloner;
}

export interface ScanWorkerHandle {
  worker: Worker<ScanJobData, ScanJobResult>;
  workspace: Workspace;
  /** What the warm scanner pool did (null when the scanner is external or replaced). */
  warmCounts: Readonly<WarmScannerCounts> | null;
  /**
   * Graceful stop: take no new jobs, let running ones finish within the grace period, then
   * kill their processes and release them (BullMQ's stalled-job recovery re-runs them).
   */
  close(graceMs?: number): Promise<'drained' | 'released'>;
}

/**
 * A scan worker: a BullMQ Worker whose processor runs one job end to end. It needs nothing
 * but Redis (no shared filesystem); its clone directories live in STRATUM_WORK_DIR.
 */
export async function startScanWorker(config: Config, options: ScanWorkerOptions): Promise<ScanWorkerHandle> {
  const { logger } = options;
  const { workspace, swept } = await Workspace.open(config.workDir);
  if (swept.length) logger.warn({ swept }, 'removed clone directories left by a crashed worker');
  const shutdown = new AbortController();
  const scannerCommand = resolveScannerCommand(config);
  const oneShot = new ProcessScannerRunner(scannerCommand, {
    timeoutMs: config.scanTimeoutMs,
    maxStdoutBytes: config.scanMaxOutputBytes,
    signal: shutdown.signal,
  });
  // The built-in scanner runs warm; an external one (STRATUM_SCANNER) runs one process per
  // repository, its command line being all we know of it.
  const warm =
    options.scanner === undefined && scannerCommand.builtIn === true
      ? new WarmScannerPool({
          command: scannerCommand.command,
          prefixArgs: scannerCommand.prefixArgs,
          ...(scannerCommand.requiredFile ? { requiredFile: scannerCommand.requiredFile } : {}),
          size: Math.max(1, options.concurrency),
          recycleAfterScans: WARM_RECYCLE_AFTER_SCANS,
          recycleAboveRssBytes: WARM_RECYCLE_ABOVE_RSS_BYTES,
          timeoutMs: config.scanTimeoutMs,
          maxResponseBytes: config.scanMaxOutputBytes,
          warmUpMs: config.scannerWarmUpMs,
          retry: oneShot,
          signal: shutdown.signal,
        })
      : null;
  // The scanner processes start and warm up now, while the worker connects and clones.
  const prestarted = warm?.prestart();
  // The ping validator compiles now, while the scanner processes start, not at the first job.
  prepareValidators(['ping']);
  void prestarted?.then((ready) => {
    const warmUp = ready.map((r) => r.warmUp);
    const slots = Math.max(1, options.concurrency);
    if (ready.length < slots || warmUp.some((w) => w?.error !== undefined))
      logger.warn(
        { warm_up: warmUp, ready: ready.length, slots },
        'warm scanner not fully ready: a process did not start or did not warm up; the first repositories may meet a cold scanner',
      );
    else logger.info({ warm_up: warmUp }, 'warm scanner ready');
  });
  const scanner = options.scanner ?? warm ?? oneShot;
  const cloner =
    options.cloner ??
    new GitCloner({
      allowLocalUrls: config.allowLocalUrls,
      timeoutMs: config.cloneTimeoutMs,
      lean: config.leanClone,
      sparsePatterns: sparsePatternsOf(config.sparsePatterns),
      signal: shutdown.signal,
    });
  const metaConnection: Redis = createRedis(config);
  const { meta, kept: keptKey } = runKeys(config.queuePrefix);
  // The pool's counts go to the run's counters after each job, so the run log has them.
  const reportWarmCounts = warm ? warmCountsReporter(warm.counts, metaConnection, meta) : null;
  const deps: JobDeps = {
    cloner,
    scanner,
    workspace,
    allowLocalUrls: config.allowLocalUrls,
    allowMovedHead: config.allowMovedHead,
    maxRepoSizeKb: config.maxRepoSizeKb,
    scannerVersionForFailures: `stratum-pipeline-${PIPELINE_VERSION}`,
    secrets: options.secrets,
    onRetry: async () => {
      await metaConnection.hincrby(meta, 'retries', 1);
    },
    onRateLimited: async () => {
      await metaConnection.hincrby(meta, 'rate_limit_hits', 1);
    },
  };

  const inflight = new Set<Promise<unknown>>();
  const processor = (job: Job<ScanJobData, ScanJobResult>, token?: string): Promise<ScanJobResult> => {
    const handled = handle(job, token);
    inflight.add(handled);
    handled.finally(() => inflight.delete(handled)).catch(() => undefined);
    return handled;
  };

  async function handle(job: Job<ScanJobData, ScanJobResult>, token?: string): Promise<ScanJobResult> {
    const data = job.data;
    if (!data || typeof data.repo_full_name !== 'string' || data.repo_full_name === '')
      throw new UnrecoverableError('job data has no repo_full_name');
    const attempt = job.attemptsMade + 1;
    const log = logger.child({ job: job.id, repo: data.repo_full_name, attempt });
    log.debug('job started');
    // A failed job kept for retry, retried (bull-board, `scan --retry-failed`): its row is on
    // disk, so the new one replaces it. Marked before the kept flag goes, so a crash between
    // the two steps still replaces.
    if (data.failed_row !== undefined || (await metaConnection.sismember(keptKey, String(job.id))) === 1) {
      const { failed_row: _old, ...rest } = data;
      await job.updateData({ ...rest, replace: true });
      await metaConnection.srem(keptKey, String(job.id));
    }
    let result: ScanJobResult;
    try {
      result = await processScanJob(
        data,
        { jobId: String(job.id), attempt, maxAttempts: job.opts.attempts ?? 1 },
        deps,
      );
    } catch (err) {
      if (shutdown.signal.aborted) return release(job, token, log);
      throw err;
    } finally {
      await reportWarmCounts?.().catch((err: Error) =>
        log.warn({ err: err.message }, 'warm scanner counts not recorded'),
      );
    }
    // Killed by a forced shutdown: the outcome says nothing about the repository.
    if (shutdown.signal.aborted) return release(job, token, log);
    const status = result.kind === 'ping' ? result.ping.scan_status : 'quarantined';
    const reason = result.kind === 'ping' ? result.ping.failure_reason : null;
    if (status === 'failed' && result.kind === 'ping' && RETRYABLE_REASONS.includes(reason as FailureCode)) {
      // A cause that may pass: the job ends failed (visible and retryable in bull-board); its
      // row travels in the job for the writer.
      await job.updateData({ ...job.data, failed_row: result.ping });
      log.info({ status, reason, ms: result.timing.job_ms }, 'job failed, kept for retry');
      throw new UnrecoverableError(`${reason}: ${result.ping.failure_detail ?? ''}`);
    }
    // A line per failure at info; every other job only at debug (a 50,000-repo run stays readable).
    const failedJob = status === 'failed' || status === 'quarantined';
    log[failedJob ? 'info' : 'debug'](
      { status, reason, ms: result.timing.job_ms },
      failedJob ? `${status}: ${reason ?? 'contract violation'}` : 'job done',
    );
    return result;
  }

  /** Puts an interrupted job back without spending an attempt, for another worker to run. */
  async function release(
    job: Job<ScanJobData, ScanJobResult>,
    token: string | undefined,
    log: Logger,
  ): Promise<never> {
    log.warn('job released by shutdown');
    await job.moveToDelayed(Date.now(), token);
    throw new DelayedError();
  }

  // BullMQ never closes a connection it was given: this one is disconnected in close().
  const workerConnection: Redis = createRedis(config);
  const worker = new Worker<ScanJobData, ScanJobResult>(SCAN_QUEUE_NAME, processor, {
    connection: workerConnection,
    prefix: config.queuePrefix,
    concurrency: Math.max(1, options.concurrency),
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: 2,
    autorun: true,
  });
  worker.on('failed', (job, err) => {
    logger.warn({ job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'attempt failed');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'worker error'));

  let closing: Promise<'drained' | 'released'> | undefined;
  const close = (graceMs = config.shutdownGraceMs) => {
    closing ??= (async () => {
      let outcome: 'drained' | 'released' = 'drained';
      const graceful = worker.close();
      const timedOut = await Promise.race([
        graceful.then(() => false),
        new Promise<boolean>((res) => setTimeout(() => res(true), graceMs).unref()),
      ]);
      if (timedOut) {
        outcome = 'released';
        shutdown.abort();
        killAllProcessGroups('SIGKILL');
        await Promise.race([
          Promise.allSettled([...inflight]),
          new Promise((res) => setTimeout(res, 3000).unref()),
        ]);
        // close(true) does not wait for the jobs; their locks expire and they are re-run elsewhere.
        await Promise.race([worker.close(true), new Promise((res) => setTimeout(res, 5000).unref())]);
      }
      warm?.close();
      metaConnection.disconnect();
      workerConnection.disconnect();
      await workspace.close().catch(() => undefined);
      return outcome;
    })();
    return closing;
  };
  return { worker, workspace, warmCounts: warm?.counts ?? null, close };
}
