import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../core/logger.js';
import { redact } from '../core/redact.js';
import {
  type DashboardCredentials,
  hasCredentials,
  rejectCrossSiteWrites,
  requireCredentials,
  requireLoopbackHostHeader,
} from './access.js';
import { createMetricsRegistry } from './metrics.js';
import { STATS_PAGE_CSS, STATS_PAGE_JS, statsPageHtml } from './stats-page.js';
import type { SnapshotSource } from './stats-source.js';

export const BULL_BOARD_PATH = '/queues';

export interface DashboardAppOptions {
  snapshot: SnapshotSource;
  /** Resolves to an error message when Redis does not answer, undefined when it does. */
  healthCheck: () => Promise<string | undefined>;
  queues: Queue[];
  credentials: DashboardCredentials;
  /** Hide and refuse bull-board's writing actions (forced when there are no credentials). */
  readOnly: boolean;
  refreshSeconds: number;
  /** The finished audit report of the current run, when there is one to serve. */
  reportPath: () => Promise<string | null>;
  secrets: readonly string[];
  logger: Logger;
  /** Called after a writing bull-board action succeeded (a retry, a removal): cached stats are stale. */
  onQueueWrite?: () => void;
  /** Every request is answered within this many ms, with a 503 when Redis has not answered (default 5000). */
  requestDeadlineMs?: number;
}

export const REQUEST_DEADLINE_MS = 5000;

/**
 * Answers 503 for any request still unanswered after `ms` (a frozen Redis leaves BullMQ and
 * bull-board calls pending forever): no route can hang a client, whatever it waits for.
 */
function answerWithin(ms: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.setHeader('Retry-After', '5');
      res.status(503).json({
        error: `no answer within ${ms / 1000} s: Redis is not answering (${req.method} ${req.path})`,
      });
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}

/**
 * The dashboard's express app: security headers, access control, the stats page and its JSON,
 * Prometheus metrics, the audit report, and bull-board at /queues. Only /healthz is open.
 */
export function createDashboardApp(options: DashboardAppOptions): Express {
  const app = express();
  const { credentials, secrets } = options;
  const open = !hasCredentials(credentials);
  const readOnly = options.readOnly || open;

  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      // Served over plain HTTP (loopback, or behind a TLS proxy that sets its own HSTS): the
      // upgrade directive would make browsers fetch the page's own script over https and fail.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      strictTransportSecurity: false,
    }),
  );
  app.use(answerWithin(options.requestDeadlineMs ?? REQUEST_DEADLINE_MS));
  if (open) app.use(requireLoopbackHostHeader());

  app.get('/healthz', async (_req, res) => {
    const problem = await options.healthCheck();
    // Unauthenticated: says whether Redis answers, never where it is.
    if (problem) res.status(503).json({ status: 'unhealthy', redis: 'unreachable' });
    else res.json({ status: 'ok', redis: 'ok' });
  });

  if (!open) app.use(requireCredentials(credentials));
  app.use(rejectCrossSiteWrites());

  const sendJson = (res: Response, value: unknown) =>
    res.type('application/json').send(redact(JSON.stringify(value), secrets));

  app.get('/', (_req, res) => {
    res
      .type('html')
      .send(
        statsPageHtml({ refreshSeconds: options.refreshSeconds, bullBoardPath: BULL_BOARD_PATH.slice(1) }),
      );
  });
  app.get('/assets/stats.js', (_req, res) => {
    res.type('application/javascript').send(STATS_PAGE_JS);
  });
  app.get('/assets/stats.css', (_req, res) => {
    res.type('text/css').send(STATS_PAGE_CSS);
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/api/stats', async (_req, res, next) => {
    try {
      res.setHeader('Cache-Control', 'no-store');
      sendJson(res, { ...(await options.snapshot()), readOnly });
    } catch (err) {
      next(err);
    }
  });

  const registry = createMetricsRegistry(options.snapshot);
  app.get('/metrics', async (_req, res, next) => {
    try {
      const text = await registry.metrics();
      res.type(registry.contentType).send(redact(text, secrets));
    } catch (err) {
      next(err);
    }
  });

  app.get('/audit/report', async (_req, res, next) => {
    try {
      const file = await options.reportPath();
      if (!file) {
        res.status(404).json({ error: 'no audit report for this run yet' });
        return;
      }
      // Served as plain text: the report is markdown built from repository data.
      res.type('text/plain; charset=utf-8').send(await readFile(file, 'utf8'));
    } catch (err) {
      next(err);
    }
  });

  const board = new ExpressAdapter();
  board.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: options.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: readOnly })),
    // @bull-board/express pins its own copy of @bull-board/api (one patch behind ours): same
    // interface, separately declared private fields, hence the cast.
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'stratum scan', pollingInterval: { forceInterval: 5000 } } },
  });
  // bull-board's UI runs scripts from its own static files and asks fonts from a CDN; the
  // default CSP (script-src 'self') already fits the first and blocks the second.
  // A retried or removed job changes what the run's stats will show: the next stats read must
  // not be a snapshot cached before the action (its cache would hide the change for a while).
  app.use(BULL_BOARD_PATH, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && options.onQueueWrite) {
      const onQueueWrite = options.onQueueWrite;
      res.once('finish', () => {
        if (res.statusCode < 400) onQueueWrite();
      });
    }
    next();
  });
  app.use(BULL_BOARD_PATH, board.getRouter());

  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    // A late failure of a request the deadline already answered: nothing left to send.
    if (res.headersSent) {
      options.logger.debug(
        { err: redact(err.message, secrets) },
        'dashboard request failed after its deadline',
      );
      return;
    }
    options.logger.error({ err: redact(err.message, secrets) }, 'dashboard request failed');
    res.status(500).json({ error: 'internal error' });
  });
  return app;
}

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
