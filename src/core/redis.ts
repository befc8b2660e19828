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

export interface RedisProblem {
  /** `auth`: Redis answered but refused the password (or wants one); `unreachable`: no answer. */
  reason: 'auth' | 'unreachable';
  message: string;
}

/** Pings Redis once with a short timeout; resolves to what is wrong, or undefined when it answers. */
export async function checkRedis(config: Config, timeoutMs = 2000): Promise<RedisProblem | undefined> {
  const redis = new Redis(redisUrlOf(config), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  // A refused AUTH or TLS handshake reaches only the error event; connect() then says "Connection is closed".
  let emitted: Error | undefined;
  redis.on('error', (err: Error) => {
    emitted ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    const detail =
      emitted && /WRONGPASS|NOAUTH|certificate|SSL|TLS/i.test(emitted.message)
        ? emitted.message
        : (err as Error).message;
    if (/WRONGPASS|NOAUTH|invalid password|AUTH.*no password/i.test(detail))
      return {
        reason: 'auth',
        message: `Redis at ${redisDisplayUrl(config)} refused the password in REDIS_URL: ${detail}`,
      };
    return {
      reason: 'unreachable',
      message: `Redis at ${redisDisplayUrl(config)} is not reachable: ${detail}`,
    };
  } finally {
    redis.disconnect();
  }
}

/** Pings Redis once with a short timeout; resolves to an error message or undefined when it answers. */
export async function probeRedis(config: Config, timeoutMs = 2000): Promise<string | undefined> {
  return (await checkRedis(config, timeoutMs))?.message;
}
