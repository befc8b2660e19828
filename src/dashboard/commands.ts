import type { Command } from 'commander';
import { CommandError, contextFor, parseIntOption, parsePortOption } from '../core/command.js';
import { environmentHelp } from '../core/config.js';

interface MonitorFlags {
  once?: boolean;
  interval: number;
}

interface DashboardFlags {
  port: number;
  host: string;
  readOnly?: boolean;
  auditCron?: string;
  drainCheckCron: string;
  refresh: number;
}

export function registerDashboardCommands(program: Command): void {
  program
    .command('monitor')
    .description('Phase 3: terminal monitor of a running scan')
    .option('--once', 'print one snapshot and exit')
    .option('--interval <seconds>', 'refresh interval', parseIntOption('--interval'), 30)
    .addHelpText('after', environmentHelp(['redisUrl', 'queuePrefix']))
    .action(async (opts: MonitorFlags, cmd: Command) => {
      const ctx = contextFor(cmd, 'monitor');
      if (opts.interval < 1) throw new CommandError('--interval must be at least 1 second', 2);
      const { Queue } = await import('bullmq');
      const { createRedis, SCAN_QUEUE_NAME } = await import('../core/redis.js');
      const { auditStatusOf, readDrainMarker } = await import('./audit-on-drain.js');
      const { runMonitor } = await import('./monitor.js');
      const { createSnapshotSource, redisHost, redisProblem, waitReady, withTimeout } = await import(
        './stats-source.js'
      );
      const { config } = ctx;
      const problem = await redisProblem(config);
      // --once with Redis away: read the files and exit. Live mode keeps a connection that
      // reconnects, so the monitor returns to live numbers when Redis comes back.
      const redis = problem && opts.once ? undefined : createRedis(config, { enableOfflineQueue: false });
      redis?.on('error', () => undefined);
      const queue = redis
        ? // A viewer: never writes the queue's meta key (watching an empty prefix creates nothing).
          new Queue(SCAN_QUEUE_NAME, { connection: redis, prefix: config.queuePrefix, skipMetasUpdate: true })
        : undefined;
      queue?.on('error', () => undefined);
      const source = createSnapshotSource({
        ...(redis && queue
          ? { live: { redis, queue, prefix: config.queuePrefix, displayHost: redisHost(config) } }
          : {}),
        ...(problem ? { unavailableReason: problem } : {}),
        dataDir: ctx.dataDir,
        ...(redis
          ? {
              auditStatus: async (runId: string) =>
                auditStatusOf(await readDrainMarker(redis, config.queuePrefix, runId), ctx.dataDir),
            }
          : {}),
      });
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        if (redis && !problem) await waitReady(redis, 3000);
        await runMonitor({
          source,
          once: Boolean(opts.once),
          intervalSeconds: opts.interval,
          out: process.stdout,
          secrets: ctx.secrets,
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // Queue.close can wait for a Redis that is away: bounded.
        if (queue) await withTimeout(queue.close(), 2000, 'queue close').catch(() => undefined);
        redis?.disconnect();
      }
    });

  program
    .command('dashboard')
    .description('Phase 3: web dashboard (stats page, bull-board, Prometheus metrics, audit on drain)')
    .option('--port <port>', 'port', parsePortOption('--port'), 3000)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--read-only', 'hide and refuse destructive queue actions')
    .option('--audit-cron <expr>', 'also write an audit snapshot on this cron schedule')
    .option('--drain-check-cron <expr>', 'when to check whether the queue has drained', '*/10 * * * * *')
    .option('--refresh <seconds>', 'stats page refresh interval', parseIntOption('--refresh'), 5)
    .addHelpText(
      'after',
      '\nOff loopback the dashboard refuses to start without DASHBOARD_TOKEN or DASHBOARD_USER + DASHBOARD_PASSWORD.\n' +
        environmentHelp(['redisUrl', 'queuePrefix', 'dashboardToken', 'dashboardUser', 'dashboardPassword']),
    )
    .action(async (opts: DashboardFlags, cmd: Command) => {
      const ctx = contextFor(cmd, 'dashboard');
      const { AccessConfigError } = await import('./access.js');
      const { threadedAudit } = await import('./audit-thread.js');
      const { startDashboard } = await import('./dashboard.js');
      let running: Awaited<ReturnType<typeof startDashboard>>;
      try {
        running = await startDashboard({
          config: ctx.config,
          dataDir: ctx.dataDir,
          host: opts.host,
          port: opts.port,
          readOnly: Boolean(opts.readOnly),
          runAudit: threadedAudit,
          drainCheckCron: opts.drainCheckCron,
          ...(opts.auditCron ? { auditCron: opts.auditCron } : {}),
          refreshSeconds: opts.refresh,
          secrets: ctx.secrets,
          logger: ctx.logger,
        });
      } catch (err) {
        if (err instanceof AccessConfigError) throw new CommandError(err.message, 2);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
          throw new CommandError(`cannot listen on ${opts.host}:${opts.port}: ${code}`, 2);
        if (err instanceof Error && /cron expression/.test(err.message))
          throw new CommandError(err.message, 2);
        throw err;
      }
      process.stdout.write(
        `dashboard: ${running.url}/  ·  bull-board: ${running.url}/queues/${running.readOnly ? ' (read-only)' : ''}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });
}
