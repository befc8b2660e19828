import path from 'node:path';
import { Writable } from 'node:stream';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { projectRoot } from '../core/project-root.js';
import { AuditConfigError, AuditInputError } from './errors.js';
import type { AuditOptions, AuditResult } from './run-audit.js';

/**
 * The audit on a thread of its own, for two reasons. Its caller stays responsive (the
 * dashboard's stats page, metrics and bull-board while seconds of parsing run). And its heap
 * gets a small young generation: on the main thread V8 lets the young generation grow to 48 MB
 * of short-lived parse garbage, which is about a fifth of the audit's peak memory. The thread
 * posts its log lines, its progress and its result back as messages.
 */
type ThreadRequest = Omit<AuditOptions, 'logger' | 'onProgress'> & { logLevel: string; progress: boolean };
type ThreadMessage =
  | { kind: 'log'; line: string }
  | { kind: 'progress'; bytesRead: number; totalBytes: number }
  | { kind: 'done'; result: AuditResult }
  | { kind: 'error'; name: string; message: string };

/** The compiled module; the thread always runs built code, also when a test imports src/. */
export const AUDIT_THREAD_SCRIPT = path.join(projectRoot(), 'dist', 'src', 'audit', 'audit-thread.js');

/** The audit thread's young generation (the chunk workers it starts have their own, smaller). */
const YOUNG_GENERATION_MB = 16;

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

/** The error the thread reported, as the class the caller tells apart (bad input, bad config). */
function threadError(name: string, message: string): Error {
  if (name === 'AuditInputError') return new AuditInputError(message);
  if (name === 'AuditConfigError') return new AuditConfigError(message);
  return new Error(message);
}

/** `runAudit` on its own thread: the same options and result, its logs and progress relayed. */
export function runAuditOnThread({ logger, onProgress, ...options }: AuditOptions): Promise<AuditResult> {
  const request: ThreadRequest = {
    ...options,
    logLevel: logger?.level ?? 'info',
    progress: onProgress !== undefined,
  };
  return new Promise<AuditResult>((resolve, reject) => {
    const worker = new Worker(AUDIT_THREAD_SCRIPT, {
      workerData: { request } satisfies { request: ThreadRequest },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    let settled = false;
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'log') relayLog(logger, message.line);
      else if (message.kind === 'progress') onProgress?.(message.bytesRead, message.totalBytes);
      else if (message.kind === 'done') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(threadError(message.name, message.message));
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
}

async function threadMain({ logLevel, progress, ...options }: ThreadRequest): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const post = (message: ThreadMessage) => port.postMessage(message);
  const lines = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) post({ kind: 'log', line });
      cb();
    },
  });
  try {
    // Loaded here, on the thread: the caller's side needs none of the audit's modules.
    const { runAudit } = await import('./run-audit.js');
    const result = await runAudit({
      ...options,
      logger: pino({ level: logLevel }, lines),
      ...(progress
        ? {
            onProgress: (bytesRead: number, totalBytes: number) =>
              post({ kind: 'progress', bytesRead, totalBytes }),
          }
        : {}),
    });
    post({ kind: 'done', result });
  } catch (err) {
    const e = err as Error;
    post({ kind: 'error', name: e.name, message: e.message });
  }
}

if (!isMainThread && (workerData as { request?: ThreadRequest } | null)?.request)
  void threadMain((workerData as { request: ThreadRequest }).request);
