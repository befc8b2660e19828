import { table } from './histogram.js';
import type { SplitSummary } from './split/assign.js';

/** The split part of the report: totals, leakage check and per-stratum test counts. */
export function splitMarkdown(s: SplitSummary): string {
  const flagged = s.strata.filter((x) => x.flagged);
  return [
    `Seed ${s.seed}; test share ${(s.testShare * 100).toFixed(0)}%. Train **${s.train}**, test **${s.test}** repositories ` +
      `in ${s.groups} leakage groups (largest ${s.largestGroup}: a topology-hash cluster and/or fork family); ` +
      `${s.notSplit} failed/empty rows (no agent content) are in neither split. ` +
      `${s.frozen} assignments were reused from split_assignment.jsonl` +
      (s.unreadableSidecarLines
        ? ` (${s.unreadableSidecarLines} of its lines were unreadable and ignored).`
        : '.'),
    '',
    s.groupsSpanningSplits === 0
      ? 'Leakage check: **no group spans both splits**.'
      : `Leakage check: **${s.groupsSpanningSplits} groups span both splits** (frozen assignments from an earlier run disagree; review split_assignment.jsonl).`,
    '',
    `Strata are primary framework × deployment score; ${flagged.length} have fewer than ${s.minTestPerStratum} test repositories (⚠).`,
    '',
    table(
      ['stratum', 'repos', 'train', 'test', 'flag'],
      s.strata.map((x) => [
        x.stratum,
        x.repos,
        x.train,
        x.test,
        x.flagged ? `⚠ < ${s.minTestPerStratum} test` : '',
      ]),
    ),
  ].join('\n');
}
