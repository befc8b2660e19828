import { Redis, type RedisOptions } from 'ioredis';
import { type Config, DEFAULT_REDIS_URL } from './config.js';
import { displayUrl } from './redact.js';

/** Names shared by every process of one pipeline (several pipelines may share one Redis). */
export const SCAN_QUEUE_NAME = 'scan';

export function redisUrlOf(config: Config): string {
  return config.redisUrl ?? DEFAULT_REDIS_URL;
}

/** The Redis URL without its password, for messages. */
export function redisDisplayUrl(config: Config): string {
  return displayUrl(redisUrlOf(config));
}

/**
 * An ioredis connection for BullMQ (`maxRetriesPerRequest: null` as workers require).
 * `rediss://` URLs get TLS from ioredis itself; passwords come from the URL.
 */
export function createRedis(config: Config, options: RedisOptions = {}): Redis {
  return new Redis(redisUrlOf(config), {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    ...options,
  });
}

/** Pings Redis once with a short timeout; resolves to an error message or undefined when it answers. */
export async function probeRedis(config: Config, timeoutMs = 2000): Promise<string | undefined> {
  const redis = new Redis(redisUrlOf(config), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return `Redis at ${redisDisplayUrl(config)} is not reachable: ${(err as Error).message}`;
  } finally {
    redis.disconnect();
  }
}
