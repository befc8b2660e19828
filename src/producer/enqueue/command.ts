import { type CommandContext, CommandError } from '../../core/command.js';
import { fileExists } from '../../core/jsonl.js';
import { dataFile } from '../../core/paths.js';
import { checkRedis, createRedis } from '../../core/redis.js';
import { escapeLine } from '../../core/terminal-text.js';
import { HOW_TO_GET_REDIS } from '../../workers/private-redis.js';
import { openScanQueue } from '../../workers/queue.js';
import { warnUnlessNoEviction } from '../../workers/redis-policy.js';
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
  opts: { manifest?: string; limit?: number; resume?: boolean },
): Promise<void> {
  const manifestPath = opts.manifest ?? dataFile(ctx.dataDir, 'manifest');
  if (!(await fileExists(manifestPath)))
    throw new CommandError(`manifest not found: ${manifestPath} (run discover first)`, 2);
  await requireUsableManifest(manifestPath, opts.manifest ? '--manifest' : 'manifest');
  const problem = await checkRedis(ctx.config);
  if (problem?.reason === 'auth')
    throw new CommandError(`${problem.message}. Check the password in REDIS_URL.`, 2);
  if (problem) throw new CommandError(`${problem.message}. To get Redis: ${HOW_TO_GET_REDIS}.`);
  const base = {
    manifestPath,
    dataDir: ctx.dataDir,
    resume: Boolean(opts.resume),
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
  try {
    await warnUnlessNoEviction(redis, ctx.logger);
    const s = await enqueueManifest(ctx.config, redis, queue, { ...base, preflight }, ctx.logger);
    process.stdout.write(
      `run ${s.runId}: manifest rows ${s.manifestCount}, added ${s.added}, already queued ${s.alreadyQueued}, ` +
        `already done ${s.alreadyDone}, duplicates in manifest ${s.duplicateInManifest}, skipped ${s.skipped.length}\n`,
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
  } catch (err) {
    if (err instanceof EnqueueRefused) throw new CommandError(err.message, 2);
    throw err;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
