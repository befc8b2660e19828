import { counted } from '../core/figures.js';
import type { AuditThresholds } from './audit-config.js';
import type { AuditStats } from './collect.js';
import { pct, share } from './counts.js';

/** `n/a`: the gate's measure has no data (a share of zero rows), so it neither passes nor fails. */
export type GateVerdict = 'PASS' | 'FAIL' | 'n/a';

export interface GateResult {
  id: string;
  name: string;
  /** verdict === 'PASS'. */
  pass: boolean;
  verdict: GateVerdict;
  /** The measured value and the threshold, in words. */
  evidence: string;
  measured: number | null;
  threshold: number;
}

export const GATE_IDS = ['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G8'] as const;

/** Repositories sharing a topology hash with `minOthers`+ others (clusters of minOthers+1 or more). */
export function contaminatedRepos(stats: AuditStats, minOthers: number): number {
  if (minOthers <= 0) return stats.topologyRows;
  let n = 0;
  for (const c of stats.clusters.values()) if (c.count >= minOthers + 1) n += c.count;
  return n;
}

/** The exact median of files_scanned/files_total (as the reference computes it; the report rounds it for display). */
export function medianCoverage(stats: AuditStats): number | null {
  return stats.coverageQuartiles()?.median ?? null;
}

export function reposWithDeploymentAtLeast(stats: AuditStats, min: number): number {
  let n = 0;
  for (let s = Math.max(0, min); s <= 5; s++) n += stats.deployment[s] ?? 0;
  for (const [score, repos] of stats.deploymentAbove5.map) if (score >= min) n += repos;
  return n;
}

/** How many rules fire in `min` or more repositories. */
export function rulesInAtLeast(stats: AuditStats, min: number): number {
  let n = 0;
  for (const repos of stats.ruleRepos.map.values()) if (repos >= min) n++;
  return n;
}

/** The eight quality gates of issue #7, each with its evidence. */
export function evaluateGates(stats: AuditStats, t: AuditThresholds): GateResult[] {
  const eff = stats.effective;
  const rows = stats.rows;
  const gates: Array<Omit<GateResult, 'verdict'> & { noData?: boolean }> = [];

  gates.push({
    id: 'G1',
    name: 'volume',
    pass: eff >= t.g1MinEffective,
    measured: eff,
    threshold: t.g1MinEffective,
    evidence: `${eff} success+partial rows (need ≥ ${t.g1MinEffective})`,
  });

  const fwCounts = t.g2Frameworks.map((f) => [f, stats.frameworks.get(f)] as const);
  const short = fwCounts.filter(([, n]) => n < t.g2MinRepos);
  const minFw = fwCounts.length ? Math.min(...fwCounts.map(([, n]) => n)) : 0;
  gates.push({
    id: 'G2',
    name: 'framework coverage',
    pass: short.length === 0,
    measured: minFw,
    threshold: t.g2MinRepos,
    evidence: `${fwCounts.map(([f, n]) => `${f} ${n}`).join(', ')} (each needs ≥ ${t.g2MinRepos}${short.length ? `; short: ${short.map(([f]) => f).join(', ')}` : ''})`,
  });

  const mature = reposWithDeploymentAtLeast(stats, t.g3MinDeploymentScore);
  gates.push({
    id: 'G3',
    name: 'deployment maturity',
    pass: mature >= t.g3MinRepos,
    measured: mature,
    threshold: t.g3MinRepos,
    evidence: `${counted(mature, 'repo')} with deployment_score ≥ ${t.g3MinDeploymentScore} (need ≥ ${t.g3MinRepos})`,
  });

  const common = rulesInAtLeast(stats, t.g4MinReposPerRule);
  gates.push({
    id: 'G4',
    name: 'rule prevalence',
    pass: common >= t.g4MinRules,
    measured: common,
    threshold: t.g4MinRules,
    evidence: `${common} of ${stats.ruleRepos.map.size} rules fire in ≥ ${t.g4MinReposPerRule} repos (need ≥ ${t.g4MinRules})`,
  });

  // Over every row, as the reference's audit.py computes its duplicate rate.
  const contaminated = contaminatedRepos(stats, t.g5MinOthers);
  const cShare = share(contaminated, rows);
  gates.push({
    id: 'G5',
    name: 'topology duplicates',
    // No row carries a topology hash: nothing to judge (the reference would say PASS).
    noData: stats.topologyRows === 0,
    pass: cShare <= t.g5MaxShare,
    measured: cShare,
    threshold: t.g5MaxShare,
    evidence: `${contaminated} of ${counted(rows, 'row')} (${pct(contaminated, rows, 2)}) share a topology hash with ≥ ${t.g5MinOthers} others (clusters of ${t.g5MinOthers + 1}+; max ${(t.g5MaxShare * 100).toFixed(1)}%)`,
  });

  const empty = stats.status.get('empty');
  gates.push({
    id: 'G6',
    name: 'empty share',
    noData: rows === 0,
    pass: share(empty, rows) <= t.g6MaxEmptyShare,
    measured: share(empty, rows),
    threshold: t.g6MaxEmptyShare,
    evidence: `${empty} of ${rows} rows empty (${pct(empty, rows, 2)}; max ${(t.g6MaxEmptyShare * 100).toFixed(1)}%)`,
  });

  const failed = stats.status.get('failed');
  gates.push({
    id: 'G7',
    name: 'failed share',
    noData: rows === 0,
    pass: share(failed, rows) <= t.g7MaxFailedShare,
    measured: share(failed, rows),
    threshold: t.g7MaxFailedShare,
    evidence: `${failed} of ${rows} rows failed (${pct(failed, rows, 2)}; max ${(t.g7MaxFailedShare * 100).toFixed(1)}%)`,
  });

  const median = medianCoverage(stats);
  // Three decimals, and the exact value when rounding would hide which side of the threshold it is on.
  const shown =
    median === null
      ? 'n/a (no rows with files_total > 0)'
      : median.toFixed(3) +
        (Number(median.toFixed(3)) >= t.g8MinMedianCoverage !== median >= t.g8MinMedianCoverage
          ? ` (exactly ${median})`
          : '');
  gates.push({
    id: 'G8',
    name: 'parse coverage',
    noData: median === null,
    // A null median is n/a whatever `pass` says (0 only satisfies the type).
    pass: (median ?? 0) >= t.g8MinMedianCoverage,
    measured: median,
    threshold: t.g8MinMedianCoverage,
    evidence: `median files_scanned/files_total ${shown} over ${counted(stats.coverageRows, 'repo')} (need ≥ ${t.g8MinMedianCoverage.toFixed(2)})`,
  });
  return gates.map(({ noData, ...g }) => {
    const verdict: GateVerdict = noData ? 'n/a' : g.pass ? 'PASS' : 'FAIL';
    return { ...g, pass: verdict === 'PASS', verdict };
  });
}
