import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Config, DEFAULT_REDIS_URL, loadConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { probeRedis, redisDisplayUrl } from '../core/redis.js';
import { BASE_CHILD_ENV } from '../core/run-process.js';

export interface RedisForRun {
  /** The config to use (REDIS_URL replaced when a private server was started). */
  config: Config;
  /** Stops the private server; a no-op when an existing Redis is used. */
  stop(): Promise<void>;
  privateServer: boolean;
}

export const HOW_TO_GET_REDIS =
  'start one (`redis-server --appendonly yes --maxmemory-policy noeviction`, `docker compose up -d redis`, ' +
  'or install the redis-server package so `scan` can start a private one), or point REDIS_URL at yours';

/**
 * Redis for `scan`: the configured or default one when it answers. When REDIS_URL is unset and
 * nothing answers at the default address, a private `redis-server` is started on a free
 * loopback port with its data (AOF on) under <data-dir>/redis, and stopped at the end.
 */
export async function redisForRun(
  config: Config,
  dataDir: string,
  logger: Logger,
  options: { defaultUrl?: string; redisServerBinary?: string } = {},
): Promise<RedisForRun> {
  const defaultUrl = options.defaultUrl ?? DEFAULT_REDIS_URL;
  const target = config.redisUrl ? config : withRedisUrl(config, defaultUrl);
  const problem = await probeRedis(target);
  if (!problem) return { config: target, stop: async () => undefined, privateServer: false };
  if (config.redisUrl) throw new Error(`${problem}. Check REDIS_URL, or ${HOW_TO_GET_REDIS}.`);
  const binary = options.redisServerBinary ?? 'redis-server';
  if (!(await onPath(binary)))
    throw new Error(`${problem}, and no redis-server binary is on PATH: ${HOW_TO_GET_REDIS}.`);

  const dir = path.join(dataDir, 'redis');
  await fs.mkdir(dir, { recursive: true });
  // A private server left running by a killed `scan` still owns this directory: adopt it
  // rather than start a second server on the same AOF files.
  const stateFile = path.join(dir, 'private-server.json');
  const previous = await readState(stateFile);
  if (previous) {
    const adopted = withRedisUrl(config, `redis://127.0.0.1:${previous.port}`);
    if ((await probeRedis(adopted, 500)) === undefined) {
      logger.warn(
        { redis: redisDisplayUrl(adopted), pid: previous.pid },
        'reusing the private redis-server of an earlier run',
      );
      return { config: adopted, privateServer: true, stop: () => stopPid(previous.pid, stateFile) };
    }
  }
  const port = await freeLoopbackPort();
  const child = spawn(
    binary,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      'redis.log',
    ],
    { stdio: 'ignore', env: { ...BASE_CHILD_ENV } },
  );
  const url = `redis://127.0.0.1:${port}`;
  const privateConfig = withRedisUrl(config, url);
  const deadline = Date.now() + 10_000;
  while ((await probeRedis(privateConfig, 500)) !== undefined) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`could not start a private redis-server (see ${path.join(dir, 'redis.log')})`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  await fs.writeFile(stateFile, JSON.stringify({ port, pid: child.pid }));
  logger.info({ redis: redisDisplayUrl(privateConfig), dir }, 'started a private redis-server for this run');
  return {
    config: privateConfig,
    privateServer: true,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM'); // redis-server saves (AOF fsync) and exits on SIGTERM
      await Promise.race([exited, new Promise((res) => setTimeout(res, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await fs.rm(stateFile, { force: true });
    },
  };
}

function withRedisUrl(config: Config, url: string): Config {
  return loadConfig({}, { ...config, redisUrl: url });
}

async function onPath(binary: string): Promise<boolean> {
  if (binary.includes('/'))
    return fs.access(binary).then(
      () => true,
      () => false,
    );
  for (const dir of (BASE_CHILD_ENV.PATH ?? '').split(':')) {
    if (!dir) continue;
    if (
      await fs.access(path.join(dir, binary)).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function readState(file: string): Promise<{ port: number; pid: number } | undefined> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as { port?: unknown; pid?: unknown };
    return typeof v.port === 'number' && typeof v.pid === 'number' ? { port: v.port, pid: v.pid } : undefined;
  } catch {
    return undefined;
  }
}

async function stopPid(pid: number, stateFile: string): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      process.kill(pid, 0);
      await new Promise((res) => setTimeout(res, 100));
    }
  } catch {
    // gone
  }
  await fs.rm(stateFile, { force: true });
}
