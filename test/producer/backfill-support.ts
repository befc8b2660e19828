import type { Redis } from 'ioredis';
import { runKeys } from '../../src/core/run-counters.js';
import type { StratumPlan } from '../../src/producer/backfill/backfill-plan.js';
import { recordStratumOutcomes } from '../../src/producer/backfill/stratum-outcomes.js';
import type { ScanJobData } from '../../src/workers/job-data.js';
import type { ScanQueue } from '../../src/workers/queue.js';

/** Job data of repository `org/<stratum>-<kind><i>`. */
export function row(stratum: string, kind: 'p' | 'r', i: number): ScanJobData {
  const name = `org/${stratum}-${kind}${i}`;
  return {
    repo_full_name: name,
    repo_url: `https://github.com/${name}`,
    repo_hash: `h${stratum}${kind}${i}`,
    selection_stratum: stratum,
    github_size_kb: 1,
  };
}

export function plan(stratum: string, goal: number, reserve: number): StratumPlan {
  return {
    stratum,
    goal,
    reserve: Array.from({ length: reserve }, (_, i) => row(stratum, 'r', i + 1)),
  };
}

/**
 * What the result writer does for a row, in its order: counted (done set, per-stratum
 * outcome), then the job removed. `effective` decides the row's status.
 */
export async function writeRow(
  redis: Redis,
  prefix: string,
  data: ScanJobData,
  effective: boolean,
): Promise<void> {
  await redis.sadd(runKeys(prefix).done, data.repo_full_name);
  await recordStratumOutcomes(redis, prefix, [
    { repoFullName: data.repo_full_name, stratum: data.selection_stratum, effective },
  ]);
}

/** Takes every waiting job off the queue as the writer would after a scan: written, then removed. */
export async function drainQueue(
  redis: Redis,
  prefix: string,
  queue: ScanQueue,
  effective: (data: ScanJobData) => boolean,
  seen: Map<string, number>,
): Promise<number> {
  const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, 999, true);
  for (const job of jobs) {
    if (!job) continue;
    seen.set(job.data.repo_full_name, (seen.get(job.data.repo_full_name) ?? 0) + 1);
    await writeRow(redis, prefix, job.data, effective(job.data));
    await job.remove();
  }
  return jobs.length;
}
