import type { Server } from 'node:http';
import { Queue } from 'bullmq';
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { createRedis, SCAN_QUEUE_NAME } from '../core/redis.js';
import { runKeys } from '../core/run-counters.js';
import { assertSafeBind, credentialsFrom, hasCredentials } from './access.js';
import { AuditOnDrain, auditStatusOf, readDrainMarker, servableReport } from './audit-on-drain.js';
import type { AuditRunner } from './audit-runner.js';
import { runAuditSnapshot } from './audit-snapshot.js';
import { createDashboardApp, listen, REQUEST_DEADLINE_MS } from './server.js';
import { createSnapshotSource, redisHost, waitReady, withTimeout } from './stats-source.js';

export interface DashboardOptions {
  config: Config;
  dataDir: string;
  host: string;
  port: number;
  readOnly: boolean;
  runAudit: AuditRunner;
  /** node-cron expression of the drain check (seconds field allowed). */
  drainCheckCron: string;
  /** Optional scheduled audit snapshot. */
  auditCron?: string;
  refreshSeconds: number;
  secrets: readonly string[];
  logger: Logger;
  /** Audit lease (ms); tests shorten it. */
  auditLeaseMs?: number;
}

export interface RunningDashboard {
  url: string;
  server: Server;
  trigger: AuditOnDrain;
  readOnly: boolean;
  close(): Promise<void>;
}

function validCron(expr: string, what: string): string {
  if (!cron.validate(expr)) throw new Error(`${what} is not a valid cron expression: "${expr}"`);
  return expr;
}

/** Starts the dashboard: the HTTP server, the drain check and the optional audit snapshot. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const { config, logger } = options;
  const credentials = credentialsFrom(config);
  assertSafeBind(options.host, credentials);
  validCron(options.drainCheckCron, '--drain-check-cron');
  if (options.auditCron) validCron(options.auditCron, '--audit-cron');
  const prefix = config.queuePrefix;

  // Fail fast instead of queueing commands while Redis is away: the page falls back to the files.
  // A command that gets no answer (a frozen Redis) fails after the request deadline instead of
  // piling up for ever.
  const redis = createRedis(config, { enableOfflineQueue: false, commandTimeout: REQUEST_DEADLINE_MS });
  redis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  if (!(await waitReady(redis, 3000)))
    logger.warn(
      { redis: redisHost(config) },
      'Redis not reachable yet: showing the result files until it is',
    );
  // The producer's queue handle owns the queue's meta key; a dashboard that fails to start (a
  // port in use) must leave nothing behind in Redis.
  const queue = new Queue(SCAN_QUEUE_NAME, { connection: redis, prefix, skipMetasUpdate: true });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'queue error'));

  const snapshot = createSnapshotSource({
    live: { redis, queue, prefix, displayHost: redisHost(config) },
    dataDir: options.dataDir,
    auditStatus: async (runId) => auditStatusOf(await readDrainMarker(redis, prefix, runId), options.dataDir),
    cacheMs: 1000,
  });
  const trigger = new AuditOnDrain({
    redis,
    queue,
    prefix,
    dataDir: options.dataDir,
    runAudit: options.runAudit,
    logger,
    secrets: options.secrets,
    ...(options.auditLeaseMs ? { leaseMs: options.auditLeaseMs } : {}),
  });

  const readOnly = options.readOnly || !hasCredentials(credentials);
  const app = createDashboardApp({
    snapshot,
    // The dashboard's own connection: frequent probes open no new connections.
    healthCheck: async () => {
      try {
        if (redis.status !== 'ready') return `connection ${redis.status}`;
        await withTimeout(redis.ping(), 2000, 'Redis');
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
    queues: [queue],
    onQueueWrite: () => snapshot.invalidate(),
    credentials,
    readOnly,
    refreshSeconds: options.refreshSeconds,
    reportPath: async () => {
      const runId = await redis.hget(runKeys(prefix).meta, 'run_id');
      if (!runId) return null;
      return servableReport(await readDrainMarker(redis, prefix, runId), options.dataDir);
    },
    secrets: options.secrets,
    logger,
  });

  const tasks: ScheduledTask[] = [];
  tasks.push(
    cron.schedule(
      options.drainCheckCron,
      async () => {
        try {
          const result = await trigger.check();
          logger.debug(
            { result: result.action, ...('reason' in result ? { reason: result.reason } : {}) },
            'drain check',
          );
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'drain check failed');
        }
      },
      { name: 'audit-on-drain', noOverlap: true },
    ),
  );
  if (options.auditCron) {
    tasks.push(
      cron.schedule(
        options.auditCron,
        async () => {
          try {
            await runAuditSnapshot({
              redis,
              prefix,
              dataDir: options.dataDir,
              runAudit: options.runAudit,
              logger,
            });
          } catch (err) {
            logger.error({ err: (err as Error).message }, 'audit snapshot failed');
          }
        },
        { name: 'audit-snapshot', noOverlap: true },
      ),
    );
  }

  let server: Server;
  try {
    server = await listen(app, options.port, options.host);
  } catch (err) {
    for (const t of tasks) await t.destroy();
    await queue.close().catch(() => undefined);
    redis.disconnect();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}`;
  logger.info({ url, readOnly, auth: hasCredentials(credentials) }, 'dashboard listening');

  return {
    url,
    server,
    trigger,
    readOnly,
    async close() {
      for (const t of tasks) await t.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await withTimeout(queue.close(), 2000, 'queue close').catch(() => undefined);
      redis.disconnect();
    },
  };
}
