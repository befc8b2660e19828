import path from 'node:path';
import { Writable } from 'node:stream';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pino from 'pino';
import { runAudit } from '../audit/index.js';
import type { Logger } from '../core/logger.js';
import { projectRoot } from '../core/project-root.js';
import type { AuditOutcome, AuditRequest, AuditRunner } from './audit-runner.js';

/**
 * The audit on its own thread. A full audit of 50,000 rows is seconds of synchronous parsing;
 * run inside the dashboard's event loop it would stall the stats page, the metrics scrape and
 * bull-board for that long. The thread posts its log lines and its outcome back as messages.
 */
type ThreadRequest = Omit<AuditRequest, 'logger'>;
type ThreadMessage =
  | { kind: 'log'; line: string }
  | { kind: 'done'; outcome: AuditOutcome }
  | { kind: 'error'; message: string };

/** The compiled module; the thread always runs built code, also when a test imports src/. */
export const AUDIT_THREAD_SCRIPT = path.join(projectRoot(), 'dist', 'src', 'dashboard', 'audit-thread.js');

const LEVEL_NAMES: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Replays one JSON log line from the thread on the caller's logger (which redacts and formats). */
function relayLog(logger: Logger | undefined, line: string): void {
  if (!logger) return;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _host, name: _name, ...fields } = record;
  const method = LEVEL_NAMES[Number(level)] ?? 'info';
  logger[method](fields, typeof msg === 'string' ? msg : '');
}

export const threadedAudit: AuditRunner = ({ logger, ...request }) =>
  new Promise<AuditOutcome>((resolve, reject) => {
    const worker = new Worker(AUDIT_THREAD_SCRIPT, {
      workerData: { request } satisfies { request: ThreadRequest },
    });
    let settled = false;
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'log') relayLog(logger, message.line);
      else if (message.kind === 'done') {
        settled = true;
        resolve(message.outcome);
      } else {
        settled = true;
        reject(new Error(message.message));
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`audit thread exited with code ${code} before it finished`));
    });
  });

async function threadMain(request: ThreadRequest): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const lines = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) port.postMessage({ kind: 'log', line });
      cb();
    },
  });
  const logger = pino({ level: 'info' }, lines);
  try {
    const result = await runAudit({ ...request, logger });
    const outcome: AuditOutcome = {
      reportPath: result.reportPath,
      auditJsonPath: result.auditJsonPath,
      gates: result.gates,
      rows: result.rows,
      corruptLines: result.corruptLines,
    };
    port.postMessage({ kind: 'done', outcome } satisfies ThreadMessage);
  } catch (err) {
    port.postMessage({ kind: 'error', message: (err as Error).message } satisfies ThreadMessage);
  }
}

if (!isMainThread && (workerData as { request?: ThreadRequest } | null)?.request)
  void threadMain((workerData as { request: ThreadRequest }).request);
