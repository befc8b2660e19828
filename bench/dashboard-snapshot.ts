/**
 * How long one monitor/dashboard snapshot takes with a full-size run in Redis, and how long the
 * JSONL fallback takes over the same rows. Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/dashboard-snapshot.js [results=50000]
 *
 * Needs Redis on 127.0.0.1:6379 (or REDIS_URL); uses its own key prefix and deletes it after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type ResultFacts, recordResult } from '../src/core/run-counters.js';
import { createSnapshotSource } from '../src/dashboard/stats-source.js';

const N = Number(process.argv[2] ?? 50_000);
const FRAMEWORKS = [
  'LangChain',
  'CrewAI',
  'LangGraph',
  'AutoGen',
  'LlamaIndex',
  'Agno',
  'SmolAgents',
  'DSPy',
];
const RUN_MS = 4 * 3600_000;

function factsOf(j: number, start: number): ResultFacts {
  const failed = j % 10 === 0;
  return {
    repoFullName: `bench/r${j}`,
    status: failed ? 'failed' : 'success',
    failureReason: failed ? 'clone_timeout' : null,
    frameworks: [FRAMEWORKS[j % FRAMEWORKS.length]!],
    riskScore: failed ? null : j % 101,
    durationMs: (j % 97) * 300,
    ...(failed ? { errorDetail: 'timeout' } : {}),
    finishedAt: start + Math.floor((j * RUN_MS) / N),
  };
}

async function main(): Promise<void> {
  const prefix = `bench-dashboard-${process.pid}`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queue = new Queue('scan', { connection: redis, prefix });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-dashboard-'));
  try {
    const start = Date.now() - RUN_MS;
    const lines: string[] = [];
    let t = Date.now();
    for (let i = 0; i < N; i += 500) {
      const batch = Array.from({ length: Math.min(500, N - i) }, (_, k) => factsOf(i + k, start));
      await Promise.all(batch.map((f) => recordResult(redis, prefix, f)));
      for (const f of batch)
        lines.push(
          JSON.stringify({
            repo_full_name: f.repoFullName,
            scan_status: f.status,
            scan_duration_ms: f.durationMs,
            failure_reason: f.failureReason,
            frameworks: f.frameworks,
            ...(f.riskScore === null ? {} : { risk_score: f.riskScore }),
            timestamp: new Date(f.finishedAt).toISOString(),
            padding: 'x'.repeat(1500), // about the size of a real ping row
          }),
        );
    }
    writeFileSync(path.join(dir, 'scan_results.jsonl'), `${lines.join('\n')}\n`);
    console.log(`seeded ${N} results over a ${RUN_MS / 3600_000} h run in ${Date.now() - t} ms`);

    const live = createSnapshotSource({ live: { redis, queue, prefix, displayHost: 'bench' }, dataDir: dir });
    for (let i = 0; i < 3; i++) await live();
    const rounds = 100;
    t = performance.now();
    for (let i = 0; i < rounds; i++) await live();
    console.log(
      `live snapshot (counters + queue counts + workers): ${((performance.now() - t) / rounds).toFixed(2)} ms`,
    );

    const files = createSnapshotSource({ dataDir: dir, unavailableReason: 'bench' });
    t = performance.now();
    const s = await files();
    const mb = (lines.reduce((a, l) => a + l.length + 1, 0) / 1e6).toFixed(0);
    console.log(`JSONL fallback over ${s.results} rows (${mb} MB): ${(performance.now() - t).toFixed(0)} ms`);
  } finally {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    await queue.close();
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
