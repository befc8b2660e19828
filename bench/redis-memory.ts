/**
 * Redis memory of a run, per 10,000 jobs (issue #14 §5, the runbook's sizing figure).
 * Build with `npm run build`, run `node dist/bench/redis-memory.js [--jobs 10000]`.
 *
 * On a private redis-server (free loopback port, so the figures are this run's alone), with
 * the real producer, BullMQ worker machinery and result writer:
 *   1. queued:    every job enqueued, none started (the backlog at the start of a run);
 *   2. finished:  every job completed with a realistic synthetic ping as its result, none
 *                 written yet (what Redis holds while the writer is stopped);
 *   3. written:   the writer has appended and removed every job (what is left per run).
 * Each figure is used_memory above the empty server, scaled to 10,000 jobs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type Config, loadConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/logger.js';
import { createRedis, SCAN_QUEUE_NAME } from '../src/core/redis.js';
import { enqueueManifest } from '../src/producer/enqueue/enqueue.js';
import {
  createGeneratorContext,
  generateManifestRecord,
  generatePing,
  repoIdentity,
} from '../src/testdata/index.js';
import type { ScanJobData, ScanJobResult } from '../src/workers/job-data.js';
import { openScanQueue, queueSize } from '../src/workers/queue.js';
import { ResultWriter } from '../src/workers/writer/result-writer.js';
import { freePort } from '../test/support/net.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`redis-memory: --${name} must be a positive integer\n`);
    process.exit(2);
  }
  return value;
}

const JOBS = arg('jobs', 10_000);
const PREFIX = 'mem';

async function usedMemory(url: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return Number(/^used_memory:(\d+)/m.exec(await r.info('memory'))?.[1]);
  } finally {
    r.disconnect();
  }
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await usedMemory(url);
      return { url, child };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

function mib(bytes: number): string {
  return (((bytes / JOBS) * 10_000) / 1024 / 1024).toFixed(1);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratum-redis-memory-'));
  const server = await startRedis(scratch);
  const config: Config = loadConfig(
    {},
    { redisUrl: server.url, queuePrefix: PREFIX, dataDir: path.join(scratch, 'data'), logLevel: 'silent' },
  );
  const redis = createRedis(config);
  const queue = openScanQueue(config, redis);
  try {
    const gen = createGeneratorContext(14, JOBS);
    const manifest = path.join(scratch, 'manifest.jsonl');
    const rows: string[] = [];
    for (let i = 0; i < JOBS; i++) rows.push(JSON.stringify(generateManifestRecord(gen, i)));
    writeFileSync(manifest, `${rows.join('\n')}\n`);
    const empty = await usedMemory(server.url);

    await enqueueManifest(
      config,
      redis,
      queue,
      { manifestPath: manifest, dataDir: config.dataDir, resume: false },
      silentLogger,
    );
    const queued = (await usedMemory(server.url)) - empty;

    // Finish every job with a realistic ping, as workers would, and leave the results in Redis.
    const byName = new Map<string, number>();
    for (let i = 0; i < JOBS; i++) byName.set(repoIdentity(gen, i).fullName, i);
    const worker = new Worker<ScanJobData, ScanJobResult>(
      SCAN_QUEUE_NAME,
      async (job) => {
        const index = byName.get(job.data.repo_full_name) ?? 0;
        const ping = generatePing(gen, index);
        return { kind: 'ping', ping, timing: { clone_ms: 0, scan_ms: ping.scan_duration_ms, job_ms: 0 } };
      },
      { connection: createRedis(config), prefix: PREFIX, concurrency: 100 },
    );
    for (;;) {
      const size = await queueSize(queue);
      if (size.completed + size.failed >= JOBS) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await worker.close();
    const finished = (await usedMemory(server.url)) - empty;

    const writer = await ResultWriter.open({
      dataDir: config.dataDir,
      prefix: PREFIX,
      redis,
      queue,
      logger: silentLogger,
      secrets: [],
      lockTtlMs: 5000,
    });
    await writer.runUntilComplete({ pollMs: 50 });
    await writer.close();
    const written = (await usedMemory(server.url)) - empty;

    process.stdout.write(
      `redis memory for ${JOBS} jobs (used_memory above an empty server, per 10,000 jobs):\n` +
        `  queued, none started:               ${mib(queued)} MiB\n` +
        `  finished, results not yet written:  ${mib(finished)} MiB  (the writer is stopped)\n` +
        `  written and removed by the writer:  ${mib(written)} MiB  (per-repository state left)\n` +
        `redis-server ${(await redis.info('server')).match(/redis_version:(\S+)/)?.[1]}, ` +
        `load ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}, ${os.cpus().length} cores\n`,
    );
  } finally {
    await queue.close();
    redis.disconnect();
    server.child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}

await main();
