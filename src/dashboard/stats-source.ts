import path from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../core/config.js';
import { probeRedis, redisUrlOf } from '../core/redis.js';
import { readCounters } from '../core/run-counters.js';
import { readBackfillReport } from '../producer/backfill/backfill-report.js';
import { readJsonlCounters } from './jsonl-counters.js';
import { type AuditStatus, buildSnapshot, type QueueState, type StatsSnapshot } from './stats.js';

/**
 * Where a snapshot comes from: the Redis counters and queue state when Redis answers
 * (a fixed number of commands, whatever the number of results), else the result files.
 */
export interface LiveBackend {
  redis: Redis;
  queue: Queue;
  /** Key prefix of the run counters (the queue prefix). */
  prefix: string;
  /** Redis host:port (never the URL, which may carry a password), for the source line. */
  displayHost: string;
}

export interface SnapshotSourceOptions {
  /** Absent when Redis was not reachable at start (the monitor's fallback). */
  live?: LiveBackend;
  /** Why there is no live backend, shown with the fallback numbers. */
  unavailableReason?: string;
  dataDir: string;
  auditStatus?: (runId: string) => Promise<AuditStatus | null>;
  now?: () => number;
  /** Reuse a snapshot this long (ms): several tabs and a scraper share one read. */
  cacheMs?: number;
  /** Give up on Redis after this long and fall back to the files. */
  timeoutMs?: number;
}

/** host:port of the Redis URL: shown to users instead of the URL, which is a secret as a whole. */
export function redisHost(config: Config): string {
  try {
    return new URL(redisUrlOf(config)).host || 'redis';
  } catch {
    return 'redis';
  }
}

/** Why Redis is not reachable, in words that name host:port only. */
export async function redisProblem(config: Config): Promise<string | undefined> {
  const problem = await probeRedis(config);
  if (!problem) return undefined;
  return `Redis at ${redisHost(config)} is not reachable (${problem.replace(/^Redis at \S+ is not reachable: /, '')})`;
}

export type SnapshotSource = () => Promise<StatsSnapshot>;

/** A snapshot source with a short cache, and a way to drop what it holds once it is known stale. */
export type CachedSnapshotSource = SnapshotSource & {
  /** Forgets the cached snapshot (and any read in flight): the next call reads afresh. */
  invalidate(): void;
};

export const QUEUE_COUNT_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

export async function readQueueState(queue: Queue): Promise<QueueState> {
  const [counts, workers] = await Promise.all([
    queue.getJobCounts(...QUEUE_COUNT_STATES),
    queue.getWorkersCount(),
  ]);
  return {
    waiting: counts.waiting ?? 0,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    prioritized: counts.prioritized ?? 0,
    waitingChildren: counts['waiting-children'] ?? 0,
    failed: counts.failed ?? 0,
    completed: counts.completed ?? 0,
    workers,
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits (bounded) for a connection to be ready; false when it is not within `ms`. */
export async function waitReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  try {
    await withTimeout(new Promise<void>((resolve) => redis.once('ready', () => resolve())), ms, 'Redis');
    return true;
  } catch {
    return false;
  }
}

async function liveSnapshot(live: LiveBackend, options: SnapshotSourceOptions, now: number) {
  // While ioredis reconnects, BullMQ calls would wait for it: fall back at once instead.
  if (live.redis.status !== 'ready') throw new Error(`connection ${live.redis.status}`);
  const [counters, queue, backfill] = await Promise.all([
    readCounters(live.redis, live.prefix),
    readQueueState(live.queue),
    readBackfillReport(live.redis, live.prefix, { decisions: false }),
  ]);
  const runId = counters.meta.run_id;
  const audit = runId && options.auditStatus ? await options.auditStatus(runId) : null;
  const snapshot = buildSnapshot({
    counters,
    queue,
    now,
    source: 'redis',
    sourceNote: `live counters from Redis at ${live.displayHost}`,
    audit,
  });
  return backfill ? { ...snapshot, strata: backfill.strata } : snapshot;
}

async function fileSnapshot(options: SnapshotSourceOptions, reason: string, now: number) {
  const fromFiles = await readJsonlCounters(options.dataDir);
  // File names only: the note reaches every dashboard viewer, the data directory's path must not.
  const files =
    fromFiles.files.length > 0
      ? fromFiles.files.map((f) => path.basename(f)).join(' + ')
      : 'no result files in the data directory';
  return buildSnapshot({
    counters: fromFiles.counters,
    queue: null,
    now,
    source: 'jsonl',
    sourceNote: `${reason}; showing ${files} (queue state unknown)`,
    manifestCount: fromFiles.manifestCount,
    corruptLines: fromFiles.corruptLines,
  });
}

export function createSnapshotSource(options: SnapshotSourceOptions): CachedSnapshotSource {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 0;
  const timeoutMs = options.timeoutMs ?? 3000;
  let cached: { at: number; value: Promise<StatsSnapshot> } | undefined;

  async function read(): Promise<StatsSnapshot> {
    const t = now();
    const live = options.live;
    if (!live) return fileSnapshot(options, options.unavailableReason ?? 'Redis not configured', t);
    try {
      return await withTimeout(liveSnapshot(live, options, t), timeoutMs, 'Redis');
    } catch (err) {
      const reason = `Redis at ${live.displayHost} is not reachable (${(err as Error).message})`;
      return fileSnapshot(options, reason, t);
    }
  }

  function snapshot(): Promise<StatsSnapshot> {
    const t = now();
    if (cached && t - cached.at < cacheMs) return cached.value;
    const value = read();
    const entry = { at: t, value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  }

  return Object.assign(snapshot, {
    invalidate() {
      cached = undefined;
    },
  });
}
