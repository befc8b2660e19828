import { type CommandContext, CommandError } from '../core/command.js';
import { fileExists } from '../core/jsonl.js';
import { dataFile } from '../core/paths.js';
import { createRedis } from '../core/redis.js';
import { type RunCounters, readCounters } from '../core/run-counters.js';
import { escapeLine } from '../core/terminal-text.js';
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
import { startScanWorker } from './scan-worker.js';
import { ResultWriter } from './writer/result-writer.js';

export interface ScanOptions {
  manifest?: string;
  limit?: number;
  workers: number;
  resume: boolean;
  /** Stops the run early (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Force a progress bar (true) or log lines (false); default: stderr is a terminal. */
  tty?: boolean;
}

export interface ScanSummary {
  outcome: 'complete' | 'stopped';
  enqueue: EnqueueSummary;
  counters: RunCounters;
  privateRedis: boolean;
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
  // Whatever may refuse the run is checked first: a refused scan writes nothing anywhere.
  const preflight = await preflightEnqueue(ctx.config, {
    manifestPath,
    dataDir: ctx.dataDir,
    resume: options.resume,
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
    const enqueue = await enqueueManifest(
      config,
      redis,
      queue,
      {
        manifestPath,
        dataDir: ctx.dataDir,
        resume: options.resume,
        preflight,
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      },
      ctx.logger,
    );
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
      outcome = await writer.runUntilComplete({
        pollMs: config.writerPollMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } finally {
      clearInterval(ticker);
      await refresh().catch(() => undefined);
      progress.stop();
      await worker.close();
    }
    if (outcome === 'stopped') {
      // Rows of jobs that finished while stopping are still written before exit.
      while ((await writer.drainOnce()) > 0) {}
      await writer.writeRunLog(null);
    }
    return {
      outcome,
      enqueue,
      counters: await readCounters(redis, config.queuePrefix),
      privateRedis: redisRun.privateServer,
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
    `  success ${c.byStatus.success} | partial ${c.byStatus.partial} | failed ${c.byStatus.failed} | empty ${c.byStatus.empty} | ` +
      `quarantined ${c.byStatus.quarantined} | rate-limit hits ${Number(c.meta.rate_limit_hits ?? 0)} | retries ${Number(c.meta.retries ?? 0)}`,
  ];
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
