import { hash32 } from '../../testdata/random.js';
import type { AuditStats } from '../collect.js';
import type { LeakageGroups } from './grouping.js';

export type SplitName = 'train' | 'test';
export const TRAIN = 0;
export const TEST = 1;
/** A row kept out of the split files: `failed` and `empty` rows carry no agent content. */
export const NOT_SPLIT = 2;

export interface SplitStratum {
  stratum: string;
  repos: number;
  train: number;
  test: number;
  /** Fewer test repositories than the configured minimum (40 by default). */
  flagged: boolean;
}

export interface SplitSummary {
  seed: number;
  testShare: number;
  train: number;
  test: number;
  /** Accepted rows left out of the split (status failed or empty). */
  notSplit: number;
  groups: number;
  largestGroup: number;
  /** Repositories whose split came from an existing split_assignment.jsonl. */
  frozen: number;
  /** Groups whose members sit on both sides (only possible when frozen assignments conflict). */
  groupsSpanningSplits: number;
  strata: SplitStratum[];
  minTestPerStratum: number;
  /** Lines of an existing split_assignment.jsonl that could not be read (not reused). */
  unreadableSidecarLines: number;
}

export interface SplitAssignment {
  /** Repository index → TRAIN / TEST / NOT_SPLIT. */
  sides: Uint8Array;
  /** Repository index → index of its group's first repository. */
  groupOf: Int32Array;
  summary: SplitSummary;
}

/**
 * Deterministic stratified 80/20 split with a leakage guard, over the rows with agent content
 * (success + partial, the effective size); `failed` and `empty` rows stay NOT_SPLIT. Each group (topology cluster ∪
 * fork family) goes to one side. Frozen assignments are kept; a group with any frozen member
 * follows its members. The other groups, largest first then in a seeded order, go to test
 * when that brings the test counts of their strata (framework × deployment score) and of the
 * whole dataset closer to test_share × size, else to train.
 */
export function assignSplit(
  stats: AuditStats,
  groups: LeakageGroups,
  frozen: ReadonlyMap<string, SplitName>,
  options: { seed: number; testShare: number; minTestPerStratum: number; unreadableSidecarLines?: number },
): SplitAssignment {
  const rows = stats.rows;
  const groupOf = new Int32Array(rows);
  for (let i = 0; i < rows; i++) groupOf[i] = groups.find(i);
  // Only the split's rows take part; `order` lists them grouped, and everything below works on it.
  const order = Int32Array.from({ length: rows }, (_, i) => i)
    .filter((i) => stats.inSplit.get(i) === 1)
    .sort((a, b) => (groupOf[a] as number) - (groupOf[b] as number) || a - b);
  const n = order.length;

  const strataCount = stats.splitStrata.length;
  const stratumTotal = new Int32Array(strataCount);
  for (const i of order) stratumTotal[stats.splitStratum.get(i)]!++;
  // Fractional targets: a stratum of 3 wants 0.6 test repositories, not round(0.6) = 1 or 0.
  const target = Float64Array.from(stratumTotal, (t) => t * options.testShare);
  const globalTarget = n * options.testShare;
  let globalTest = 0;
  const testCount = new Int32Array(strataCount);
  const sides = new Uint8Array(rows).fill(NOT_SPLIT);

  // Group boundaries in `order`.
  const starts: number[] = [];
  for (let k = 0; k < n; k++)
    if (k === 0 || groupOf[order[k] as number] !== groupOf[order[k - 1] as number]) starts.push(k);
  const groupEnd = (g: number) => (g + 1 < starts.length ? (starts[g + 1] as number) : n);

  let frozenRepos = 0;
  const open: number[] = [];
  for (let g = 0; g < starts.length; g++) {
    let frozenTest = 0;
    let frozenTrain = 0;
    for (let k = starts[g] as number; k < groupEnd(g) && frozen.size > 0; k++) {
      const side = frozen.get(stats.repos.name(order[k] as number));
      if (side === 'test') frozenTest++;
      else if (side === 'train') frozenTrain++;
    }
    if (frozenTest + frozenTrain === 0) {
      open.push(g);
      continue;
    }
    const groupSide = frozenTest > frozenTrain ? TEST : TRAIN;
    for (let k = starts[g] as number; k < groupEnd(g); k++) {
      const repo = order[k] as number;
      const side = frozen.get(stats.repos.name(repo));
      if (side) frozenRepos++;
      sides[repo] = side === undefined ? groupSide : side === 'test' ? TEST : TRAIN;
      if (sides[repo] === TEST) {
        testCount[stats.splitStratum.get(repo)]!++;
        globalTest++;
      }
    }
  }

  const size = (g: number) => groupEnd(g) - (starts[g] as number);
  // Each open group's seeded key, computed once (a name is decoded per call).
  const keys = new Float64Array(starts.length);
  for (const g of open)
    keys[g] = hash32(stats.repos.name(groupOf[order[starts[g] as number] as number] as number), options.seed);
  const key = (g: number) => keys[g] as number;
  open.sort((a, b) => size(b) - size(a) || key(a) - key(b) || a - b);

  const members = new Map<number, number>();
  for (const g of open) {
    members.clear();
    for (let k = starts[g] as number; k < groupEnd(g); k++) {
      const s = stats.splitStratum.get(order[k] as number);
      members.set(s, (members.get(s) ?? 0) + 1);
    }
    // Change in distance to the targets if this group went to test: per stratum, plus the
    // overall share (so strata too small for a test repository of their own still add up
    // to ~20 % together). Ties go to train.
    let delta = 0;
    for (const [s, m] of members) {
      const deficit = (target[s] as number) - (testCount[s] as number);
      delta += Math.abs(deficit - m) - Math.abs(deficit);
    }
    const globalDeficit = globalTarget - globalTest;
    delta += Math.abs(globalDeficit - size(g)) - Math.abs(globalDeficit);
    const side = delta < 0 ? TEST : TRAIN;
    for (let k = starts[g] as number; k < groupEnd(g); k++) sides[order[k] as number] = side;
    if (side === TEST) {
      for (const [s, m] of members) testCount[s] = (testCount[s] as number) + m;
      globalTest += size(g);
    }
  }

  let spanning = 0;
  let largest = 0;
  for (let g = 0; g < starts.length; g++) {
    largest = Math.max(largest, size(g));
    const first = sides[order[starts[g] as number] as number];
    for (let k = (starts[g] as number) + 1; k < groupEnd(g); k++)
      if (sides[order[k] as number] !== first) {
        spanning++;
        break;
      }
  }

  const stratumTest = new Int32Array(strataCount);
  let test = 0;
  for (let i = 0; i < rows; i++)
    if (sides[i] === TEST) {
      test++;
      stratumTest[stats.splitStratum.get(i)]!++;
    }
  const strata = stats.splitStrata
    .map((name, s) => ({
      stratum: name,
      repos: stratumTotal[s] as number,
      test: stratumTest[s] as number,
      train: (stratumTotal[s] as number) - (stratumTest[s] as number),
      flagged: (stratumTest[s] as number) < options.minTestPerStratum,
    }))
    .filter((s) => s.repos > 0)
    .sort((a, b) => b.repos - a.repos || a.stratum.localeCompare(b.stratum));

  return {
    sides,
    groupOf,
    summary: {
      seed: options.seed,
      testShare: options.testShare,
      train: n - test,
      test,
      notSplit: rows - n,
      groups: starts.length,
      largestGroup: largest,
      frozen: frozenRepos,
      groupsSpanningSplits: spanning,
      strata,
      minTestPerStratum: options.minTestPerStratum,
      unreadableSidecarLines: options.unreadableSidecarLines ?? 0,
    },
  };
}
