import type { Command } from 'commander';
import { type CommandContext, CommandError, contextFor, parseIntOption } from '../core/command.js';
import { environmentHelp, type Settings, withSettings } from '../core/config.js';
import { addRescanOptions, rescanOptionsOf } from '../producer/enqueue/rescan-options.js';
import type { ResultWriter } from './writer/result-writer.js';

/** Resolves on the first SIGINT/SIGTERM; the returned signal aborts then. */
function onStopSignal(): { signal: AbortSignal; stopped: Promise<NodeJS.Signals> } {
  const ac = new AbortController();
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const handler = (sig: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      ac.abort();
      resolve(sig);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
  return { signal: ac.signal, stopped };
}

async function requireRedis(ctx: CommandContext): Promise<void> {
  const { checkRedis } = await import('../core/redis.js');
  const { HOW_TO_GET_REDIS } = await import('./private-redis.js');
  const problem = await checkRedis(ctx.config);
  if (problem?.reason === 'auth')
    throw new CommandError(`${problem.message}. Check the password in REDIS_URL.`, 2);
  if (problem) throw new CommandError(`${problem.message}. To get Redis: ${HOW_TO_GET_REDIS}.`);
}

/** Flags that override a setting of the context's config. */
/** The settings a worker reads (`scan` runs workers too, plus the writer). */
const WORKER_SETTINGS: ReadonlyArray<keyof Settings> = [
  'redisUrl',
  'queuePrefix',
  'scannerCommand',
  'workDir',
  'cloneTimeoutMs',
  'scanTimeoutMs',
  'maxRepoSizeKb',
  'maxAttempts',
  'retryBackoffMs',
  'lockDurationMs',
  'stalledIntervalMs',
  'shutdownGraceMs',
  'scanMaxOutputBytes',
  'leanClone',
  'sparsePatterns',
  'allowLocalUrls',
  'allowMovedHead',
];

function withFlags(ctx: CommandContext, opts: { allowMovedHead?: boolean }): CommandContext {
  if (!opts.allowMovedHead) return ctx;
  return { ...ctx, config: withSettings(ctx.config, { allowMovedHead: true }) };
}

export function registerWorkerCommands(program: Command): void {
  const scan = program
    .command('scan')
    .description('Phase 2 on one machine: enqueue, run N worker slots and the writer, show progress')
    .option('--manifest <path>', 'manifest path (default <data-dir>/repo_manifest.jsonl)')
    .option('--limit <n>', 'scan at most N repositories', parseIntOption('--limit'))
    .option('--workers <n>', 'local worker slots', parseIntOption('--workers'), 10)
    .option(
      '--backfill',
      "scan reserve rows where a stratum's effective rows fall short (default unless --limit)",
    )
    .option('--no-backfill', 'scan the primary rows only')
    .addHelpText(
      'after',
      '\nRedis: REDIS_URL when set, else 127.0.0.1:6379, else a private redis-server it starts.\n' +
        environmentHelp([...WORKER_SETTINGS, 'scannerVersion', 'writerPollMs']),
    );
  addRescanOptions(scan)
    .option(
      '--allow-moved-head',
      "scan the default branch when a row's frozen head_sha is gone (recorded as moved_head; STRATUM_ALLOW_MOVED_HEAD)",
    )
    .action(
      async (
        opts: {
          manifest?: string;
          limit?: number;
          workers: number;
          resume?: boolean;
          rescanChanged?: boolean;
          retryFailed?: boolean;
          reason?: string[];
          allowMovedHead?: boolean;
          backfill?: boolean;
        },
        cmd: Command,
      ) => {
        const ctx = withFlags(contextFor(cmd, 'scan'), opts);
        const { EnqueueRefused } = await import('../producer/enqueue/enqueue.js');
        const { formatScanSummary, runScan } = await import('./run-scan.js');
        const rescan = rescanOptionsOf(opts);
        const { signal } = onStopSignal();
        try {
          const summary = await runScan(ctx, {
            workers: Math.max(1, opts.workers),
            ...rescan,
            signal,
            ...(opts.manifest ? { manifest: opts.manifest } : {}),
            ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
            ...(opts.backfill !== undefined ? { backfill: opts.backfill } : {}),
          });
          process.stdout.write(`${formatScanSummary(summary)}\n`);
          if (summary.outcome === 'stopped') process.exitCode = 130;
        } catch (err) {
          if (err instanceof EnqueueRefused) throw new CommandError(err.message, 2);
          throw err instanceof CommandError ? err : new CommandError((err as Error).message);
        }
      },
    );

  program
    .command('worker')
    .description('Phase 2 worker: clone, scan and validate jobs from the queue (run many, anywhere)')
    .option('--concurrency <n>', 'jobs in parallel in this process', parseIntOption('--concurrency'), 4)
    .addHelpText('after', environmentHelp(WORKER_SETTINGS))
    .option(
      '--allow-moved-head',
      "scan the default branch when a row's frozen head_sha is gone (recorded as moved_head; STRATUM_ALLOW_MOVED_HEAD)",
    )
    .action(async (opts: { concurrency: number; allowMovedHead?: boolean }, cmd: Command) => {
      const ctx = withFlags(contextFor(cmd, 'worker'), opts);
      await requireRedis(ctx);
      const { createRedis } = await import('../core/redis.js');
      const { warnUnlessNoEviction } = await import('./redis-policy.js');
      const { startScanWorker } = await import('./scan-worker.js');
      const redis = createRedis(ctx.config);
      await warnUnlessNoEviction(redis, ctx.logger);
      redis.disconnect();
      const { stopped } = onStopSignal();
      const handle = await startScanWorker(ctx.config, {
        concurrency: Math.max(1, opts.concurrency),
        logger: ctx.logger,
        secrets: ctx.secrets,
      }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EACCES' && err.code !== 'EROFS' && err.code !== 'EPERM') throw err;
        throw new CommandError(
          `cannot write the work directory ${ctx.config.workDir} (STRATUM_WORK_DIR): ${err.code}; ` +
            `it must be writable by uid ${process.getuid?.() ?? '?'}`,
        );
      });
      ctx.logger.info({ concurrency: opts.concurrency, pid: process.pid }, 'worker ready');
      const sig = await stopped;
      ctx.logger.info(
        { signal: sig, graceMs: ctx.config.shutdownGraceMs },
        'stopping: finishing running jobs',
      );
      const outcome = await handle.close();
      ctx.logger.info({ outcome, warmScanner: handle.warmCounts }, 'worker stopped');
      // BullMQ may keep timers alive after a forced close (engine-facts §1.4).
      process.exit(0);
    });

  program
    .command('writer')
    .description('Phase 2 result writer (exactly one per run): append results, then acknowledge')
    .option('--exit-when-done', 'exit once the producer has finished and every job has its row')
    .addHelpText('after', environmentHelp(['redisUrl', 'queuePrefix', 'writerPollMs', 'lockDurationMs']))
    .action(async (opts: { exitWhenDone?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd, 'writer');
      await requireRedis(ctx);
      const { createRedis } = await import('../core/redis.js');
      const { openScanQueue } = await import('./queue.js');
      const { warnUnlessNoEviction } = await import('./redis-policy.js');
      const { ResultWriter } = await import('./writer/result-writer.js');
      const redis = createRedis(ctx.config);
      const queue = openScanQueue(ctx.config, redis);
      await warnUnlessNoEviction(redis, ctx.logger);
      let writer: ResultWriter;
      try {
        writer = await ResultWriter.open({
          dataDir: ctx.dataDir,
          prefix: ctx.config.queuePrefix,
          redis,
          queue,
          logger: ctx.logger,
          secrets: ctx.secrets,
          lockTtlMs: Math.max(3000, ctx.config.lockDurationMs),
        });
      } catch (err) {
        await queue.close();
        redis.disconnect();
        throw new CommandError((err as Error).message);
      }
      ctx.logger.info({ dataDir: ctx.dataDir, alreadyWritten: writer.writtenCount }, 'writer ready');
      const { signal } = onStopSignal();
      try {
        for (;;) {
          const outcome = await writer.runUntilComplete({ pollMs: ctx.config.writerPollMs, signal });
          if (outcome === 'stopped') break;
          ctx.logger.info({ written: writer.writtenCount }, 'run complete: every job has its row');
          if (opts.exitWhenDone) break;
          // Keep serving later enqueues; idle until the queue has work again.
          while (!signal.aborted && (await writer.runIsComplete()))
            await new Promise((res) => setTimeout(res, ctx.config.writerPollMs * 5));
        }
        await writer.writeRunLog(null).catch(() => undefined);
      } finally {
        await writer.close();
        await queue.close();
        redis.disconnect();
      }
    });
}
