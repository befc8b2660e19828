import type { Redis } from 'ioredis';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { runKeys } from '../../core/run-counters.js';
import { isQueueEmpty, queueSize, type ScanQueue } from '../../workers/queue.js';
import { loadPlan, type StratumPlan } from './backfill-plan.js';
import { type Decision, decide } from './decide.js';
import { releaseToQueue } from './release.js';

/**
 * The producer's back-fill loop: every `pollMs`, decide each stratum (in Redis), put released
 * reserve rows on the queue, and finish once the queue is empty and no stratum needs more —
 * then mark the producer side finished (`enqueue_finished`), which is what lets the writer
 * end the run. Any number of producers may run it at once; a killed one is simply restarted.
 */
export interface BackfillRunOptions {
  plan: readonly StratumPlan[];
  runId: string;
  pollMs: number;
  minObserved: number;
  signal?: AbortSignal;
  /** Called with each decision that added rows or found a stratum's reserve exhausted. */
  onDecision?: (d: Decision) => void;
}

export interface BackfillSummary {
  outcome: 'finished' | 'stopped';
  /** Reserve rows this process put on the queue. */
  added: number;
  decisions: Decision[];
}

export async function runBackfill(
  config: Config,
  redis: Redis,
  queue: ScanQueue,
  options: BackfillRunOptions,
  logger: Logger,
): Promise<BackfillSummary> {
  const prefix = config.queuePrefix;
  const meta = runKeys(prefix).meta;
  const loaded = await loadPlan(redis, prefix, options.runId, options.plan);
  const strata = options.plan.map((s) => s.stratum);
  await redis.hset(meta, { backfill: 'on', backfill_finished: '0' });
  logger.info(
    {
      plan: loaded,
      strata: Object.fromEntries(
        options.plan.map((s) => [s.stratum, { goal: s.goal, reserve: s.reserve.length }]),
      ),
    },
    'back-fill started',
  );
  const summary: BackfillSummary = { outcome: 'stopped', added: 0, decisions: [] };
  while (!options.signal?.aborted) {
    const emptyBefore = isQueueEmpty(await queueSize(queue));
    let addedNow = 0;
    for (const stratum of strata) {
      const d = await decide(redis, prefix, stratum, options.minObserved);
      if (d.added > 0 || d.exhausted) {
        addedNow += d.added;
        summary.decisions.push(d);
        options.onDecision?.(d);
        logger.info(
          {
            stratum,
            yield: d.yield,
            basis: d.basis,
            effective: d.effective,
            written: d.written,
            queued: d.queued,
            goal: d.goal,
            added: d.added,
            released: d.releasedAfter,
            reserve: d.reserve,
          },
          d.added > 0
            ? `back-fill: ${stratum} adds ${d.added} reserve rows`
            : `back-fill: ${stratum} has used its whole reserve and is ${d.goal - d.effective} rows short`,
        );
      }
    }
    const release = await releaseToQueue(config, redis, queue, strata, {
      lockTtlMs: Math.max(1000, config.lockDurationMs),
    });
    summary.added += release.added;
    // Finished only when this pass changed nothing: rows it put on the queue (released by an
    // earlier pass, or by a producer killed before queuing them) still have to be written and
    // may turn out empty, so the next decisions must see them.
    if (
      emptyBefore &&
      addedNow === 0 &&
      release.added === 0 &&
      release.pending.length === 0 &&
      release.locked
    ) {
      await redis.hset(meta, {
        backfill_finished: '1',
        enqueue_finished: '1',
        enqueue_finished_at: new Date().toISOString(),
      });
      summary.outcome = 'finished';
      logger.info(
        { added: summary.added },
        'back-fill finished: every stratum met its goal or used its reserve',
      );
      return summary;
    }
    await sleep(options.pollMs, options.signal);
  }
  return summary;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
