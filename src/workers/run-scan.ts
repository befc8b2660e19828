import { type CommandContext, CommandError } from '../core/command.js';
import { fileExists } from '../core/jsonl.js';
import { dataFile } from '../core/paths.js';
import { createRedis } from '../core/redis.js';
import { type RunCounters, readCounters } from '../core/run-counters.js';
import { escapeLine } from '../core/terminal-text.js';
import { BackfillPlanBuilder, type BackfillSummary, runBackfill } from '../producer/backfill/index.js';
import {
  type EnqueueSummary,
  enqueueManifest,
  formatFillCounts,
  preflightEnqueue,
} from '../producer/enqueue/enqueue.js';
import { requireUsableManifest } from '../producer/enqueue/manifest-check.js';
import { redisForRun } from './private-redis.js';
import { createProgress } from './progress.js';
import { openScanQueue, queueSize } from './queue.js';
import { warnUnlessNoEviction } from './redis-policy.js';
import { resolveScannerVersion } from './scan/scanner-version.js';
import { startScanWorker } from './scan-worker.js';
import { ResultWriter } from './writer/result-writer.js';

export interface ScanOptions {
  manifest?: string;
  limit?: number;
  workers: number;
  resume: boolean;
  /** Rescan rows whose commit or scanner version changed, replacing them (implies resume). */
  rescanChanged?: boolean;
  /** Rescan failed rows with these reasons, replacing them ([] = the retryable reasons; implies resume). */
  retryFailed?: readonly string[];
  /** Stops the run early (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Force a progress bar (true) or log lines (false); default: stderr is a terminal. */
  tty?: boolean;
  /** Back-fill strata from the manifest's reserve rows (default: on unless --limit). */
  backfill?: boolean;
}

export interface ScanSummary {
  outcome: 'complete' | 'stopped';
  enqueue: EnqueueSummary;
  counters: RunCounters;
  privateRedis: boolean;
  backfill: BackfillSummary | null;
}

/**
 * `scan` on one machine: Redis (a private one if needed), the single writer, the producer,
 * N local worker slots, a progress bar; returns when every job has its row.
 */
export async function runScan(ctx: CommandContext, options: ScanOptions): Promise<ScanSummary> {
  const manifestPath = options.manifest ?? dataFile(ctx.dataDir, 'manifest');
  if (!(await fileExists(manifestPath)))
    throw new CommandError(`manifest not found: ${manifestPath} (run discover first)`, 2);
  await requireUsableManifest(manifestPath, options.manifest ? '--manifest' : 'manifest');
  const scanner = await resolveScannerVersion(ctx.config);
  if (!scanner.ok) {
    if (options.rescanChanged)
      throw new CommandError(`--rescan-changed needs the scanner version: ${scanner.problem}`, 2);
    ctx.logger.warn(
      { problem: scanner.problem },
      'scanner version unknown: rows are compared by commit only',
    );
  }
  // Whatever may refuse the run is checked first: a refused scan writes nothing anywhere.
  const preflight = await preflightEnqueue(ctx.config, {
    manifestPath,
    dataDir: ctx.dataDir,
    resume: options.resume,
    ...(options.rescanChanged ? { rescanChanged: true } : {}),
    ...(options.retryFailed ? { retryFailed: options.retryFailed } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const redisRun = await redisForRun(ctx.config, ctx.dataDir, ctx.logger);
  const config = redisRun.config;
  const redis = createRedis(config);
  const queue = openScanQueue(config, redis);
  let writer: ResultWriter | undefined;
  try {
    await warnUnlessNoEviction(redis, ctx.logger);
    writer = await ResultWriter.open({
      dataDir: ctx.dataDir,
      prefix: config.queuePrefix,
      redis,
      queue,
      logger: ctx.logger,
      secrets: ctx.secrets,
      lockTtlMs: Math.max(3000, config.lockDurationMs),
    });
    const plan = (options.backfill ?? options.limit === undefined) ? new BackfillPlanBuilder() : undefined;
    const enqueue = await enqueueManifest(
      config,
      redis,
      queue,
      {
        manifestPath,
        dataDir: ctx.dataDir,
        resume: options.resume,
        ...(options.rescanChanged ? { rescanChanged: true } : {}),
        ...(options.retryFailed ? { retryFailed: options.retryFailed } : {}),
        ...(scanner.ok ? { scannerVersion: scanner.version } : {}),
        preflight,
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        ...(plan ? { backfill: plan } : {}),
      },
      ctx.logger,
    );
    // The back-fill runs beside the writer; a back-fill that fails stops the run.
    const stop = new AbortController();
    options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    let backfillError: Error | undefined;
    const backfillRun =
      plan && enqueue.reserveRows > 0
        ? runBackfill(
            config,
            redis,
            queue,
            {
              plan: plan.build(),
              runId: enqueue.runId,
              pollMs: config.backfillPollMs,
              minObserved: config.backfillMinObserved,
              signal: stop.signal,
            },
            ctx.logger,
          ).catch((err: Error) => {
            backfillError = err;
            stop.abort();
            return null;
          })
        : Promise.resolve(null);
    ctx.logger.info(
      {
        ...enqueue,
        skipped: enqueue.skipped.length,
        duplicates: enqueue.duplicates.length,
        rejected: enqueue.rejected.length,
      },
      'enqueued',
    );
    const worker = await startScanWorker(config, {
      concurrency: options.workers,
      logger: ctx.logger,
      secrets: ctx.secrets,
    });
    const progress = createProgress(
      enqueue.manifestCount,
      ctx.logger,
      options.tty === undefined ? {} : { tty: options.tty },
    );
    const startDone = enqueue.alreadyDone;
    const w = writer;
    const refresh = async () => {
      const [c, size] = await Promise.all([readCounters(redis, config.queuePrefix), queueSize(queue)]);
      progress.update(startDone + w.appended, {
        failed: c.byStatus.failed,
        quarantined: c.byStatus.quarantined,
        active: size.active,
      });
    };
    const ticker = setInterval(() => void refresh().catch(() => undefined), 1000);
    let outcome: 'complete' | 'stopped';
    try {
      outcome = await writer.runUntilComplete({ pollMs: config.writerPollMs, signal: stop.signal });
    } finally {
      clearInterval(ticker);
      await refresh().catch(() => undefined);
      progress.stop();
      await worker.close();
    }
    stop.abort();
    const backfill = await backfillRun;
    if (outcome === 'stopped') {
      // Rows of jobs that finished while stopping are still written before exit.
      while ((await writer.drainOnce()) > 0) {}
      await writer.writeRunLog(null);
    }
    if (backfillError) throw backfillError;
    return {
      outcome,
      enqueue,
      counters: await readCounters(redis, config.queuePrefix),
      privateRedis: redisRun.privateServer,
      backfill,
    };
  } finally {
    await writer?.close();
    await queue.close();
    redis.disconnect();
    await redisRun.stop();
  }
}

export function formatScanSummary(s: ScanSummary): string {
  const c = s.counters;
  const lines = [
    `scan ${s.outcome}: run ${s.enqueue.runId}`,
    `  manifest rows ${s.enqueue.manifestCount}, enqueued ${s.enqueue.added}, already queued ${s.enqueue.alreadyQueued}, ` +
      `already done ${s.enqueue.alreadyDone}, duplicates ${s.enqueue.duplicates.length}, skipped ${s.enqueue.skipped.length}`,
    `  rows: reused ${s.enqueue.reused}, new ${s.enqueue.newQueued}, rescanned ${s.enqueue.rescanQueued} ` +
      `(commit or scanner changed), retried ${s.enqueue.retryQueued}, replaced ${c.replaced}` +
      (s.enqueue.stale ? `, stale ${s.enqueue.stale} (identity changed; --rescan-changed rescans them)` : ''),
    `  success ${c.byStatus.success} | partial ${c.byStatus.partial} | failed ${c.byStatus.failed} | empty ${c.byStatus.empty} | ` +
      `quarantined ${c.byStatus.quarantined} | rate-limit hits ${Number(c.meta.rate_limit_hits ?? 0)} | retries ${Number(c.meta.retries ?? 0)}`,
  ];
  if (s.backfill)
    lines.push(
      `  back-fill ${s.backfill.outcome}: ${s.backfill.added} reserve rows scanned (${s.enqueue.reserveRows} in the manifest), ` +
        `${s.backfill.decisions.length} decisions (see pipeline_run_log.json)`,
    );
  const filled = formatFillCounts(s.enqueue.filled);
  if (filled) lines.push(`  manifest fields filled (docs/compatibility.md): ${filled}`);
  const reasons = Object.entries(c.byFailure).sort((a, b) => b[1] - a[1]);
  if (reasons.length) lines.push(`  failure reasons: ${reasons.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const sk of s.enqueue.skipped.slice(0, 10))
    lines.push(`  skipped manifest line ${sk.line}: ${escapeLine(sk.reason)}`);
  for (const d of s.enqueue.duplicates.slice(0, 10))
    lines.push(`  duplicate manifest line ${d.line}: ${escapeLine(d.reason)}`);
  for (const r of s.enqueue.rejected.slice(0, 10))
    lines.push(`  rejected manifest line ${r.line}: ${escapeLine(r.reason)}`);
  return lines.join('\n');
}
