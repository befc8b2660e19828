import type { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { type ResultFacts, recordResult, runKeys } from '../../src/core/run-counters.js';
import {
  type DashboardOptions,
  type RunningDashboard,
  startDashboard,
} from '../../src/dashboard/dashboard.js';

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

/** A dashboard on a free loopback port for a test: no audit, no drain check, no log output. */
export function startTestDashboard(
  options: Pick<DashboardOptions, 'config' | 'dataDir'> & Partial<DashboardOptions>,
): Promise<RunningDashboard> {
  return startDashboard({
    host: '127.0.0.1',
    port: 0,
    readOnly: false,
    runAudit: async () => {
      throw new Error('no audit in this test');
    },
    drainCheckCron: '0 0 1 1 *',
    refreshSeconds: 5,
    secrets: [],
    logger: silentLogger,
    ...options,
  });
}
