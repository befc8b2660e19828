import type { AuditStats } from './collect.js';
import type { ManifestIndex } from './manifest-index.js';
import type { StrataTargets } from './strata-targets.js';

/**
 * Per stratum: what discovery supplied (primary and reserve rows of the manifest), what the
 * scan made of it (rows, effective rows = success + partial), the gap to the target, and how
 * much more discovery a stratum that used its whole reserve needs at its observed yield.
 * "Reserve used" is the stratum's rows beyond its primary rows, at most its reserve: exact
 * for a complete run, where every primary row has its row.
 */
export interface StratumSupply {
  stratum: string;
  target: number;
  /** null without a manifest. */
  primary: number | null;
  reserve: number | null;
  reserve_used: number | null;
  rows: number;
  effective: number;
  gap: number;
  /** effective / rows; null before any row. */
  yield: number | null;
  reserve_exhausted: boolean;
  /** Repositories more discovery should supply: ⌈gap / yield⌉ once the reserve is spent, else 0. */
  more_discovery_needed: number;
}

export function strataSupply(
  stats: AuditStats,
  strata: StrataTargets,
  manifest: ManifestIndex | undefined,
): StratumSupply[] {
  return strata.strata.map((s) => {
    const c = stats.strata.get(s.name) ?? { rows: 0, effective: 0 };
    const inManifest = manifest ? manifest.strata.get(s.name) : null;
    const reserve = manifest ? manifest.reserveStrata.get(s.name) : null;
    const primary = inManifest === null || reserve === null ? null : inManifest - reserve;
    const reserveUsed =
      primary === null || reserve === null ? null : Math.min(reserve, Math.max(0, c.rows - primary));
    const gap = Math.max(0, s.target - c.effective);
    const yieldSoFar = c.rows > 0 ? c.effective / c.rows : null;
    const exhausted = reserve !== null && reserveUsed !== null && reserveUsed >= reserve;
    const needed =
      gap > 0 && (exhausted || reserve === null) ? Math.ceil(gap / Math.max(0.05, yieldSoFar ?? 1)) : 0;
    return {
      stratum: s.name,
      target: s.target,
      primary,
      reserve,
      reserve_used: reserveUsed,
      rows: c.rows,
      effective: c.effective,
      gap,
      yield: yieldSoFar,
      reserve_exhausted: exhausted,
      more_discovery_needed: needed,
    };
  });
}
