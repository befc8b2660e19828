import type { Redis } from 'ioredis';
import { noWarmCounts, type WarmScannerCounts } from './warm-scanner.js';

/** The run counters' meta fields the warm scanner pools of every worker add to. */
export const WARM_COUNT_FIELDS = {
  served: 'warm_scans_served',
  started: 'warm_processes_started',
  recycledByCount: 'warm_recycled_by_count',
  recycledByMemory: 'warm_recycled_by_memory',
  failed: 'warm_processes_failed',
  retried: 'warm_retried_fresh',
} as const satisfies Record<keyof WarmScannerCounts, string>;

const KEYS = Object.keys(WARM_COUNT_FIELDS) as (keyof WarmScannerCounts)[];

/**
 * Adds what a worker's pool counted since the last call to the run's counters (`metaKey`), in
 * one round trip; the run log reads them from there. Safe to call from concurrent jobs: each
 * increment is sent once (and again by a later call if sending it failed).
 */
export function warmCountsReporter(
  counts: Readonly<WarmScannerCounts>,
  redis: Redis,
  metaKey: string,
): () => Promise<void> {
  const sent = noWarmCounts();
  return async () => {
    const deltas = KEYS.map((k) => [k, counts[k] - sent[k]] as const).filter(([, d]) => d > 0);
    if (deltas.length === 0) return;
    for (const [k, d] of deltas) sent[k] += d;
    const multi = redis.multi();
    for (const [k, d] of deltas) multi.hincrby(metaKey, WARM_COUNT_FIELDS[k], d);
    try {
      const replies = await multi.exec();
      const failed = replies === null ? new Error('transaction aborted') : replies.find(([e]) => e)?.[0];
      if (failed) throw failed;
    } catch (err) {
      for (const [k, d] of deltas) sent[k] -= d;
      throw err;
    }
  };
}
