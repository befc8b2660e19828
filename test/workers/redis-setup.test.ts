import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { checkRedis, probeRedis } from '../../src/core/redis.js';
import { redisForRun } from '../../src/workers/private-redis.js';
import { evictionPolicy, warnUnlessNoEviction } from '../../src/workers/redis-policy.js';
import { freePort } from '../support/net.js';
import { startRedisServer } from '../support/redis-server.js';
import { tempDir } from '../support/tmp.js';
import { testConfig } from './helpers.js';

describe('Redis for a run', () => {
  it('uses a Redis that answers', async () => {
    const r = await redisForRun(testConfig(), '/nonexistent', silentLogger);
    expect(r.privateServer).toBe(false);
    await r.stop();
  });

  it('starts a private redis-server (AOF on, under data/redis) when nothing answers at the default', async () => {
    const data = tempDir('stratum-privredis');
    const port = await freePort();
    const r = await redisForRun(testConfig({ redisUrl: undefined }), data.dir, silentLogger, {
      defaultUrl: `redis://127.0.0.1:${port}`,
    });
    try {
      expect(r.privateServer).toBe(true);
      expect(await probeRedis(r.config)).toBeUndefined();
      const client = new Redis(r.config.redisUrl!);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await evictionPolicy(client)).toBe('noeviction');
      client.disconnect();
    } finally {
      await r.stop();
    }
    expect(await probeRedis(r.config, 500)).toMatch(/not reachable/);
    expect(readdirSync(path.join(data.dir, 'redis')).some((f) => f.startsWith('appendonly'))).toBe(true);
    data.cleanup();
  });

  it('adopts the private server a killed scan left behind instead of starting a second one', async () => {
    const data = tempDir('stratum-privredis');
    const port = await freePort();
    const opts = { defaultUrl: `redis://127.0.0.1:${port}` };
    const first = await redisForRun(testConfig({ redisUrl: undefined }), data.dir, silentLogger, opts);
    // The scan that started it dies without stopping it; the next one finds it.
    const second = await redisForRun(testConfig({ redisUrl: undefined }), data.dir, silentLogger, opts);
    expect(second.config.redisUrl).toBe(first.config.redisUrl);
    await second.stop();
    expect(await probeRedis(first.config, 500)).toMatch(/not reachable/);
    await first.stop();
    data.cleanup();
  });

  it('tells a refused password apart from a Redis that does not answer, without the password', async () => {
    const data = tempDir('stratum-authredis');
    const server = await startRedisServer({ dir: data.dir, requirepass: 'right-Passw0rd' });
    try {
      const wrong = `redis://:wrong-Passw0rd@127.0.0.1:${server.port}`;
      const refused = await checkRedis(testConfig({ redisUrl: wrong }), 1000);
      expect(refused?.reason).toBe('auth');
      expect(refused?.message).toMatch(/refused the password in REDIS_URL: WRONGPASS/);
      expect(refused?.message).not.toContain('wrong-Passw0rd');
      const none = await checkRedis(testConfig({ redisUrl: `redis://127.0.0.1:${server.port}` }), 1000);
      expect(none?.reason).toBe('auth');
      expect(await checkRedis(testConfig({ redisUrl: server.url }), 1000)).toBeUndefined();
    } finally {
      await server.stop();
      data.cleanup();
    }
    const gone = await checkRedis(testConfig({ redisUrl: server.url }), 500);
    expect(gone?.reason).toBe('unreachable');
  });

  it('fails with a message saying how to get Redis when REDIS_URL does not answer', async () => {
    const port = await freePort();
    await expect(
      redisForRun(testConfig({ redisUrl: `redis://:s3cret-pass@127.0.0.1:${port}` }), '/tmp', silentLogger),
    ).rejects.toThrow(/not reachable.*REDIS_URL.*redis-server/s);
    await expect(
      redisForRun(testConfig({ redisUrl: `redis://:s3cret-pass@127.0.0.1:${port}` }), '/tmp', silentLogger),
    ).rejects.not.toThrow(/s3cret-pass/);
  });

  it('says so when no redis-server binary is available', async () => {
    const port = await freePort();
    await expect(
      redisForRun(testConfig({ redisUrl: undefined }), '/tmp', silentLogger, {
        defaultUrl: `redis://127.0.0.1:${port}`,
        redisServerBinary: '/nonexistent/redis-server',
      }),
    ).rejects.toThrow(/no redis-server binary/);
  });
});

describe('eviction policy check', () => {
  it('warns loudly when Redis may evict jobs', async () => {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'allkeys-lru'],
      {
        stdio: 'ignore',
      },
    );
    try {
      const client = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: (n) => (n > 50 ? null : 50) });
      client.on('error', () => undefined);
      await client.ping();
      const lines: string[] = [];
      const logger = silentLogger.child({});
      logger.error = ((obj: unknown, msg?: string) =>
        void lines.push(`${JSON.stringify(obj)} ${msg}`)) as never;
      const write = process.stderr.write.bind(process.stderr);
      let banner = '';
      process.stderr.write = ((s: string) => {
        banner += s;
        return true;
      }) as never;
      try {
        expect(await warnUnlessNoEviction(client, logger)).toBe(false);
      } finally {
        process.stderr.write = write;
      }
      expect(banner).toMatch(/WARNING.*allkeys-lru.*noeviction/s);
      expect(lines.join()).toMatch(/allkeys-lru/);
      client.disconnect();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
