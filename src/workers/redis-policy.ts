import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';

/**
 * BullMQ loses jobs silently when Redis evicts keys; the only safe policy is noeviction.
 * Reads INFO (CONFIG GET may be disabled on managed Redis). Returns the policy, or undefined.
 */
export async function evictionPolicy(redis: Redis): Promise<string | undefined> {
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

export async function warnUnlessNoEviction(redis: Redis, logger: Logger): Promise<boolean> {
  const policy = await evictionPolicy(redis);
  if (policy === undefined || policy === 'noeviction') return true;
  const msg =
    `Redis maxmemory-policy is "${policy}": Redis may EVICT queued jobs and lose repositories. ` +
    'Set `maxmemory-policy noeviction` (redis.conf or CONFIG SET).';
  logger.error({ policy }, msg);
  process.stderr.write(`\n!!! WARNING: ${msg}\n\n`);
  return false;
}
