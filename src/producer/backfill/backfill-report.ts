import type { Redis } from 'ioredis';
import { backfillKeys } from './backfill-keys.js';

/**
 * The back-fill as the run log, the monitor and the dashboard show it: per stratum its goal,
 * effective rows, reserve used, and the decisions taken (stratum, yield so far, rows added).
 */
export interface StratumProgress {
  goal: number;
  effective: number;
  written: number;
  reserve: number;
  /** Reserve rows released (decided) so far. */
  released: number;
  gap: number;
  /** When the stratum used its last reserve row with a gap left (ISO time), else null. */
  exhausted_at: string | null;
}

export interface BackfillDecisionRecord {
  at: string;
  stratum: string;
  yield: number | null;
  basis: string;
  goal: number;
  effective: number;
  written: number;
  queued: number;
  added: number;
  released: number;
  reserve: number;
  exhausted: boolean;
}

export interface BackfillReport {
  strata: Record<string, StratumProgress>;
  decisions: BackfillDecisionRecord[];
}

/** The run's back-fill state, or null when the run has none. */
export async function readBackfillReport(
  redis: Redis,
  prefix: string,
  options: { decisions?: boolean } = {},
): Promise<BackfillReport | null> {
  const keys = backfillKeys(prefix);
  const [plan, released, outcome, decisions] = await Promise.all([
    redis.hgetall(keys.plan),
    redis.hgetall(keys.released),
    redis.hgetall(keys.outcome),
    options.decisions === false ? Promise.resolve([]) : redis.lrange(keys.decisions, 0, -1),
  ]);
  if (!plan.strata) return null;
  const n = (v: string | undefined) => Number(v ?? 0) || 0;
  const strata: Record<string, StratumProgress> = {};
  for (const s of JSON.parse(plan.strata) as string[]) {
    const goal = n(plan[`goal:${s}`]);
    const effective = n(outcome[`${s}|effective`]);
    strata[s] = {
      goal,
      effective,
      written: n(outcome[`${s}|written`]),
      reserve: n(plan[`reserve:${s}`]),
      released: n(released[s]),
      gap: Math.max(0, goal - effective),
      exhausted_at: plan[`exhausted:${s}`] ?? null,
    };
  }
  return {
    strata,
    decisions: decisions.flatMap((text) => {
      try {
        const d = JSON.parse(text) as Record<string, unknown> & { yield_milli?: number };
        const { yield_milli, ...rest } = d;
        return [
          { ...rest, yield: typeof yield_milli === 'number' && yield_milli >= 0 ? yield_milli / 1000 : null },
        ] as BackfillDecisionRecord[];
      } catch {
        return [];
      }
    }),
  };
}

/** One line per stratum: `crewai  412/600 effective (reserve 80/360 used, gap 188)`. */
export function formatStrataProgress(report: BackfillReport): string[] {
  const names = Object.keys(report.strata);
  const width = Math.max(8, ...names.map((s) => s.length));
  return names.map((s) => {
    const p = report.strata[s]!;
    const pct = p.goal ? Math.floor((p.effective / p.goal) * 100) : 100;
    return (
      `${s.padEnd(width)}  ${String(p.effective).padStart(6)}/${String(p.goal).padEnd(6)} effective ${String(pct).padStart(3)}%` +
      `  reserve ${p.released}/${p.reserve} used${p.gap > 0 ? `, gap ${p.gap}` : ''}${p.exhausted_at ? ' (reserve exhausted)' : ''}`
    );
  });
}
