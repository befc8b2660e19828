import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../core/config.js';
import { SCAN_QUEUE_NAME } from '../core/redis.js';
import type { ScanJobData, ScanJobResult } from './job-data.js';

export type ScanQueue = Queue<ScanJobData, ScanJobResult>;

export function openScanQueue(config: Config, connection: Redis): ScanQueue {
  return new Queue<ScanJobData, ScanJobResult>(SCAN_QUEUE_NAME, { connection, prefix: config.queuePrefix });
}

/**
 * Options of every scan job. Finished jobs are kept (never auto-removed) because the result
 * writer must read each one before it is removed; the writer removes it right after the row
 * is durable, so Redis holds only the backlog, not the history.
 */
export function scanJobOptions(config: Config): JobsOptions {
  return {
    attempts: Math.max(1, config.maxAttempts),
    backoff: { type: 'exponential', delay: config.retryBackoffMs, jitter: 0.3 },
    removeOnComplete: false,
    removeOnFail: false,
    keepLogs: 0,
    stackTraceLimit: 3,
  };
}

/** Key of a job's hash in Redis (for existence checks without loading the job). */
export function jobKey(config: Config, jobId: string): string {
  return `${config.queuePrefix}:${SCAN_QUEUE_NAME}:${jobId}`;
}

export const ACTIVE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

export interface QueueSize {
  waiting: number;
  active: number;
  delayed: number;
  /** Finished, not yet written by the writer. */
  completed: number;
  failed: number;
}

export async function queueSize(queue: ScanQueue): Promise<QueueSize> {
  const c = await queue.getJobCounts(...ACTIVE_STATES, 'completed', 'failed');
  return {
    waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
    active: c.active ?? 0,
    delayed: c.delayed ?? 0,
    completed: c.completed ?? 0,
    failed: c.failed ?? 0,
  };
}

export function isQueueEmpty(s: QueueSize): boolean {
  return s.waiting + s.active + s.delayed + s.completed + s.failed === 0;
}
