import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from './net.js';

/**
 * A private `redis-server` on a free loopback port, for tests and benchmarks that restart or
 * kill Redis, need AOF, a password, or memory figures of their own. `restart()` starts it
 * again on the same port and directory (what an operator's restart looks like to clients).
 */
export interface RedisServerOptions {
  dir: string;
  port?: number;
  appendonly?: boolean;
  requirepass?: string;
}

export interface PrivateRedis {
  url: string;
  port: number;
  readonly pid: number | undefined;
  /** SIGKILL (a crash) or SIGTERM (a clean stop); resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  client(): Redis;
}

async function waitForPing(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      if (Date.now() > deadline)
        throw new Error(`redis-server at ${url.replace(/:[^:@/]*@/, ':***@')} did not answer`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startRedisServer(options: RedisServerOptions): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  const auth = options.requirepass ? `:${encodeURIComponent(options.requirepass)}@` : '';
  const url = `redis://${auth}127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      options.appendonly ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      '--dir',
      options.dir,
      '--maxmemory-policy',
      'noeviction',
    ];
    if (options.requirepass) args.push('--requirepass', options.requirepass);
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPing(url);
  }

  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    await gone;
  }

  await start();
  return {
    url,
    port,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: start,
    client: () => new Redis(url, { maxRetriesPerRequest: null }),
  };
}
