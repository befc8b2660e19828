import { type CommandContext, CommandError } from '../../core/command.js';
import { fileExists } from '../../core/jsonl.js';
import { dataFile } from '../../core/paths.js';
import { checkRedis, createRedis } from '../../core/redis.js';
import { escapeLine } from '../../core/terminal-text.js';
import { HOW_TO_GET_REDIS } from '../../workers/private-redis.js';
import { openScanQueue } from '../../workers/queue.js';
import { warnUnlessNoEviction } from '../../workers/redis-policy.js';
import { resolveScannerVersion } from '../../workers/scan/scanner-version.js';
import {
  BackfillPlanBuilder,
  BackfillPlanMismatch,
  formatStrataProgress,
  readBackfillReport,
  runBackfill,
} from '../backfill/index.js';
import {
  type EnqueuePreflight,
  EnqueueRefused,
  enqueueManifest,
  formatFillCounts,
  preflightEnqueue,
} from './enqueue.js';
import { requireUsableManifest } from './manifest-check.js';

/** `stratum-pipeline enqueue`: prints how many jobs were added, already queued, done or skipped. */
export async function runEnqueueCommand(
  ctx: CommandContext,
  opts: {
    manifest?: string;
    limit?: number;
    resume: boolean;
    rescanChanged?: boolean;
    retryFailed?: readonly string[];
    backfill?: boolean;
  },
): Promise<void> {
  const manifestPath = opts.manifest ?? dataFile(ctx.dataDir, 'manifest');
  if (!(await fileExists(manifestPath)))
    throw new CommandError(`manifest not found: ${manifestPath} (run discover first)`, 2);
  await requireUsableManifest(manifestPath, opts.manifest ? '--manifest' : 'manifest');
  const scanner = await resolveScannerVersion(ctx.config);
  if (!scanner.ok && opts.rescanChanged)
    throw new CommandError(`--rescan-changed needs the scanner version: ${scanner.problem}`, 2);
  const problem = await checkRedis(ctx.config);
  if (problem?.reason === 'auth')
    throw new CommandError(`${problem.message}. Check the password in REDIS_URL.`, 2);
  if (problem) throw new CommandError(`${problem.message}. To get Redis: ${HOW_TO_GET_REDIS}.`);
  const base = {
    manifestPath,
    dataDir: ctx.dataDir,
    resume: opts.resume,
    ...(opts.rescanChanged ? { rescanChanged: true } : {}),
    ...(opts.retryFailed ? { retryFailed: opts.retryFailed } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  };
  // A refused enqueue writes nothing to Redis: the checks come before the first connection.
  let preflight: EnqueuePreflight;
  try {
    preflight = await preflightEnqueue(ctx.config, base);
  } catch (err) {
    if (err instanceof EnqueueRefused) throw new CommandError(err.message, 2);
    throw err;
  }
  const redis = createRedis(ctx.config);
  const queue = openScanQueue(ctx.config, redis);
  const plan = (opts.backfill ?? opts.limit === undefined) ? new BackfillPlanBuilder() : undefined;
  try {
    await warnUnlessNoEviction(redis, ctx.logger);
    const s = await enqueueManifest(
      ctx.config,
      redis,
      queue,
      {
        ...base,
        ...(scanner.ok ? { scannerVersion: scanner.version } : {}),
        preflight,
        ...(plan ? { backfill: plan } : {}),
      },
      ctx.logger,
    );
    process.stdout.write(
      `run ${s.runId}: manifest rows ${s.manifestCount}, added ${s.added}, already queued ${s.alreadyQueued}, ` +
        `already done ${s.alreadyDone}, duplicates in manifest ${s.duplicateInManifest}, skipped ${s.skipped.length}` +
        (s.reserveRows > 0
          ? `, reserve rows ${s.reserveRows} (${plan ? 'back-fill' : 'not scanned: --no-backfill'})\n`
          : '\n') +
        `  rows: reused ${s.reused}, new ${s.newQueued}, rescan ${s.rescanQueued}, retry ${s.retryQueued}, stale ${s.stale}\n`,
    );
    const report = (label: string, items: Array<{ line: number; reason: string }>) => {
      for (const it of items.slice(0, 20))
        process.stdout.write(`  ${label} manifest line ${it.line}: ${escapeLine(it.reason)}\n`);
      if (items.length > 20)
        process.stdout.write(`  … and ${items.length - 20} more ${label} lines (see the log)\n`);
    };
    const filled = formatFillCounts(s.filled);
    if (filled) process.stdout.write(`  manifest fields filled (docs/compatibility.md): ${filled}\n`);
    report('skipped', s.skipped);
    report('duplicate', s.duplicates);
    report('rejected', s.rejected);
    if (plan && s.reserveRows > 0) {
      process.stdout.write(
        `back-fill: ${s.reserveRows} reserve rows held; deciding every ${ctx.config.backfillPollMs} ms until every stratum meets its goal or uses its reserve\n`,
      );
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const b = await runBackfill(
          ctx.config,
          redis,
          queue,
          {
            plan: plan.build(),
            runId: s.runId,
            pollMs: ctx.config.backfillPollMs,
            minObserved: ctx.config.backfillMinObserved,
            signal: stop.signal,
            onDecision: (d) =>
              process.stdout.write(
                d.added > 0
                  ? `  ${d.stratum}: yield ${d.yield?.toFixed(3) ?? '?'} (${d.basis}), ${d.effective}/${d.goal} effective, ${d.queued} queued: +${d.added} reserve rows (${d.releasedAfter}/${d.reserve} used)\n`
                  : `  ${d.stratum}: reserve exhausted at ${d.effective}/${d.goal} effective\n`,
              ),
          },
          ctx.logger,
        );
        const report = await readBackfillReport(redis, ctx.config.queuePrefix, { decisions: false });
        process.stdout.write(`back-fill ${b.outcome}: ${b.added} reserve rows queued by this producer\n`);
        for (const line of report ? formatStrataProgress(report) : []) process.stdout.write(`  ${line}\n`);
        if (b.outcome === 'stopped') process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }
  } catch (err) {
    if (err instanceof EnqueueRefused || err instanceof BackfillPlanMismatch)
      throw new CommandError(err.message, 2);
    throw err;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
