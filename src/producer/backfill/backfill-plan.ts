import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ScanJobData } from '../../workers/job-data.js';
import type { ManifestJob } from '../enqueue/manifest-jobs.js';
import { backfillKeys, isTrackedStratum } from './backfill-keys.js';

/**
 * What the back-fill works from, read off the frozen manifest: per stratum its goal (the
 * primary rows: its target, or what discovery found when that fell short — then there is no
 * reserve either) and its reserve rows in seeded order. Loaded once into Redis per run, so
 * every producer of a fleet, and a restarted one, decides over the same plan.
 */
export interface StratumPlan {
  stratum: string;
  goal: number;
  reserve: ScanJobData[];
}

export class BackfillPlanBuilder {
  private readonly strata = new Map<
    string,
    { goal: number; reserve: Array<{ rank: number; data: ScanJobData }> }
  >();

  private entry(stratum: string) {
    let e = this.strata.get(stratum);
    if (!e) {
      e = { goal: 0, reserve: [] };
      this.strata.set(stratum, e);
    }
    return e;
  }

  primary(job: ManifestJob): void {
    this.entry(job.data.selection_stratum).goal++;
  }

  reserve(job: ManifestJob): void {
    this.entry(job.data.selection_stratum).reserve.push({
      rank: job.reserveRank ?? job.line,
      data: job.data,
    });
  }

  build(): StratumPlan[] {
    return [...this.strata.entries()]
      .filter(([stratum]) => isTrackedStratum(stratum))
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([stratum, e]) => ({
        stratum,
        goal: e.goal,
        reserve: e.reserve
          .sort((a, b) => a.rank - b.rank || a.data.repo_full_name.localeCompare(b.data.repo_full_name))
          .map((r) => r.data),
      }));
  }
}

export function planSha(plan: readonly StratumPlan[]): string {
  const h = createHash('sha256');
  for (const s of plan) {
    h.update(`${s.stratum}\0${s.goal}\0`);
    for (const r of s.reserve) h.update(`${r.repo_full_name}\0`);
    h.update('\n');
  }
  return h.digest('hex');
}

export class BackfillPlanMismatch extends Error {
  override name = 'BackfillPlanMismatch';
}

/**
 * Stores the plan in Redis unless this run already holds it (same run id and manifest plan).
 * MULTI/EXEC: a producer killed while loading leaves nothing half written.
 */
export async function loadPlan(
  redis: Redis,
  prefix: string,
  runId: string,
  plan: readonly StratumPlan[],
): Promise<'loaded' | 'present'> {
  const keys = backfillKeys(prefix);
  const sha = planSha(plan);
  const [currentRun, currentSha] = await redis.hmget(keys.plan, 'run_id', 'sha');
  if (currentRun === runId) {
    if (currentSha === sha) return 'present';
    throw new BackfillPlanMismatch(
      `run ${runId} is back-filling another manifest (its reserve plan differs): use the manifest it started with, ` +
        'or a new run (new result files, or another STRATUM_QUEUE_PREFIX)',
    );
  }
  const multi = redis.multi();
  // A plan of an earlier run on this prefix: its counts mean nothing for this one.
  const old = await redis.hget(keys.plan, 'strata');
  for (const stratum of old ? (JSON.parse(old) as string[]) : []) multi.del(keys.reserve(stratum));
  multi.del(keys.plan, keys.released, keys.enqueued, keys.decisions);
  const fields: Record<string, string> = {
    run_id: runId,
    sha,
    strata: JSON.stringify(plan.map((s) => s.stratum)),
  };
  for (const s of plan) {
    fields[`goal:${s.stratum}`] = String(s.goal);
    fields[`reserve:${s.stratum}`] = String(s.reserve.length);
    multi.del(keys.reserve(s.stratum));
    for (let i = 0; i < s.reserve.length; i += 500)
      multi.rpush(keys.reserve(s.stratum), ...s.reserve.slice(i, i + 500).map((d) => JSON.stringify(d)));
  }
  multi.hset(keys.plan, fields);
  await multi.exec();
  return 'loaded';
}

/** Deletes the back-fill state of a run (with the run counters, when a new run starts on the prefix). */
export async function resetBackfill(redis: Redis, prefix: string): Promise<void> {
  const keys = backfillKeys(prefix);
  const strata = await redis.hget(keys.plan, 'strata');
  const lists = strata ? (JSON.parse(strata) as string[]).map((s) => keys.reserve(s)) : [];
  await redis.unlink(
    keys.plan,
    keys.released,
    keys.enqueued,
    keys.outcome,
    keys.counted,
    keys.decisions,
    keys.lock,
    ...lists,
  );
}
