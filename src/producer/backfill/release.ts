import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Config } from '../../core/config.js';
import { runKeys } from '../../core/run-counters.js';
import { jobIdFor, type ScanJobData } from '../../workers/job-data.js';
import { jobKey, type ScanQueue, scanJobOptions } from '../../workers/queue.js';
import { backfillKeys } from './backfill-keys.js';

/**
 * Puts released reserve rows on the queue. Only the holder of a short Redis lock does it, so
 * two producers never add the same row; the stratum's `enqueued` count moves only after the
 * rows are on the queue, so a producer killed half way leaves rows that the next pass (its
 * own after a restart, or another producer's) adds. A row is added only when its job is not
 * in the queue and, checked after that, not written: the writer marks a row written before it
 * removes the job, so in that order a finished row is never queued again.
 */
export interface ReleaseOutcome {
  /** False when another producer holds the lock (it adds the rows). */
  locked: boolean;
  added: number;
  /** Released rows found already queued or written (a pass that died after adding them). */
  alreadyThere: number;
  /** Strata whose released rows are not all known to be queued after this pass. */
  pending: string[];
}

const RENEW_AND_SET_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
if tonumber(ARGV[4]) > current then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
return 1
`;
const RELEASE_LOCK_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export async function releaseToQueue(
  config: Config,
  redis: Redis,
  queue: ScanQueue,
  strata: readonly string[],
  options: {
    lockTtlMs?: number;
    chunk?: number;
    /** Test seam: runs after a chunk is on the queue, before its `enqueued` count moves. */
    afterAdd?: () => Promise<void>;
  } = {},
): Promise<ReleaseOutcome> {
  const keys = backfillKeys(config.queuePrefix);
  const done = runKeys(config.queuePrefix).done;
  const ttl = options.lockTtlMs ?? 30_000;
  const token = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const outcome: ReleaseOutcome = { locked: false, added: 0, alreadyThere: 0, pending: [] };
  if ((await redis.set(keys.lock, token, 'PX', ttl, 'NX')) !== 'OK') {
    outcome.pending = await pendingStrata(redis, config.queuePrefix, strata);
    return outcome;
  }
  outcome.locked = true;
  const jobOpts = scanJobOptions(config);
  const chunk = options.chunk ?? 200;
  try {
    for (const stratum of strata) {
      const [releasedText, enqueuedText] = await Promise.all([
        redis.hget(keys.released, stratum),
        redis.hget(keys.enqueued, stratum),
      ]);
      const released = Number(releasedText ?? 0);
      let from = Number(enqueuedText ?? 0);
      while (from < released) {
        const to = Math.min(released, from + chunk);
        const rows = (await redis.lrange(keys.reserve(stratum), from, to - 1)).map(
          (text) => JSON.parse(text) as ScanJobData,
        );
        const names = rows.map((r) => r.repo_full_name);
        // Queued first, written second (see above).
        const queued = await Promise.all(names.map((n) => redis.exists(jobKey(config, jobIdFor(n)))));
        const written = names.length ? await redis.smismember(done, ...names) : [];
        const fresh = rows.filter((_, i) => queued[i] === 0 && written[i] === 0);
        outcome.alreadyThere += rows.length - fresh.length;
        if (fresh.length > 0) {
          // Still ours? A producer paused past the lock's TTL must not add beside the next holder.
          if ((await redis.get(keys.lock)) !== token)
            throw new Error('back-fill lock lost while adding rows');
          await queue.addBulk(
            fresh.map((data) => ({
              name: 'scan',
              data,
              opts: { ...jobOpts, jobId: jobIdFor(data.repo_full_name) },
            })),
          );
          await redis.hincrby(runKeys(config.queuePrefix).meta, 'enqueued', fresh.length);
          outcome.added += fresh.length;
        }
        await options.afterAdd?.();
        const ok = await redis.eval(RENEW_AND_SET_LUA, 2, keys.lock, keys.enqueued, token, ttl, stratum, to);
        if (ok !== 1) throw new Error('back-fill lock lost while adding rows');
        from = to;
      }
    }
  } finally {
    await redis.eval(RELEASE_LOCK_LUA, 1, keys.lock, token).catch(() => undefined);
  }
  outcome.pending = await pendingStrata(redis, config.queuePrefix, strata);
  return outcome;
}

async function pendingStrata(redis: Redis, prefix: string, strata: readonly string[]): Promise<string[]> {
  const keys = backfillKeys(prefix);
  if (strata.length === 0) return [];
  const [released, enqueued] = await Promise.all([
    redis.hmget(keys.released, ...strata),
    redis.hmget(keys.enqueued, ...strata),
  ]);
  return strata.filter((_, i) => Number(released[i] ?? 0) > Number(enqueued[i] ?? 0));
}
