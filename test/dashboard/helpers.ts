import type { Redis } from 'ioredis';
import { type ResultFacts, recordResult, runKeys } from '../../src/core/run-counters.js';

/** What the scan runner writes to the run's meta hash. */
export async function seedMeta(
  redis: Redis,
  prefix: string,
  meta: Record<string, string | number>,
): Promise<void> {
  await redis.hset(
    runKeys(prefix).meta,
    Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)])),
  );
}

export function facts(repo: string, over: Partial<ResultFacts> = {}): ResultFacts {
  return {
    repoFullName: repo,
    status: 'success',
    failureReason: null,
    frameworks: ['LangChain'],
    riskScore: 50,
    durationMs: 1200,
    finishedAt: Date.now(),
    ...over,
  };
}

export async function record(redis: Redis, prefix: string, rows: ResultFacts[]): Promise<void> {
  for (const r of rows) await recordResult(redis, prefix, r);
}
