import { type CommandContext, CommandError } from '../../core/command.js';
import { fileExists } from '../../core/jsonl.js';
import { dataFile } from '../../core/paths.js';
import { createRedis, probeRedis } from '../../core/redis.js';
import { HOW_TO_GET_REDIS } from '../../workers/private-redis.js';
import { openScanQueue } from '../../workers/queue.js';
import { warnUnlessNoEviction } from '../../workers/redis-policy.js';
import { EnqueueRefused, enqueueManifest } from './enqueue.js';

/** `stratum-pipeline enqueue`: prints how many jobs were added, already queued, done or skipped. */
export async function runEnqueueCommand(
  ctx: CommandContext,
  opts: { manifest?: string; limit?: number; resume?: boolean },
): Promise<void> {
  const manifestPath = opts.manifest ?? dataFile(ctx.dataDir, 'manifest');
  if (!(await fileExists(manifestPath)))
    throw new CommandError(`manifest not found: ${manifestPath} (run discover first)`);
  const problem = await probeRedis(ctx.config);
  if (problem) throw new CommandError(`${problem}. To get Redis: ${HOW_TO_GET_REDIS}.`);
  const redis = createRedis(ctx.config);
  const queue = openScanQueue(ctx.config, redis);
  try {
    await warnUnlessNoEviction(redis, ctx.logger);
    const s = await enqueueManifest(
      ctx.config,
      redis,
      queue,
      {
        manifestPath,
        dataDir: ctx.dataDir,
        resume: Boolean(opts.resume),
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      },
      ctx.logger,
    );
    process.stdout.write(
      `run ${s.runId}: manifest rows ${s.manifestCount}, added ${s.added}, already queued ${s.alreadyQueued}, ` +
        `already done ${s.alreadyDone}, duplicates in manifest ${s.duplicateInManifest}, skipped ${s.skipped.length}\n`,
    );
    for (const sk of s.skipped.slice(0, 20))
      process.stdout.write(`  skipped manifest line ${sk.line}: ${sk.reason}\n`);
  } catch (err) {
    if (err instanceof EnqueueRefused) throw new CommandError(err.message, 2);
    throw err;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
