import type { ApiStatsSnapshot } from './api-stats.js';
import type { LedgerEntry } from './checkpoint.js';
import type { WrittenManifest } from './manifest-writer.js';
import type { SelectionReport } from './selection.js';

/**
 * `discovery_log.json`: the audit trail of a discovery run: identity, counts at each step,
 * per-stratum counts against targets, the API spent, per-query recall and the slice ledger.
 */
export interface QueryRecall {
  stratum: string;
  query_index: number;
  query: string;
  /** total_count of the whole query (its first probe); null when not probed (subsumed). */
  reported_total: number | null;
  /** Sum of the reported counts of its leaf slices. */
  reported_in_slices: number;
  fetched: number;
  slices: number;
  short_slices: number;
  capped_slices: number;
  /** fetched / max(reported_total, reported_in_slices), at most 1; null when nothing to compare. */
  estimated_recall: number | null;
  note?: string;
}

export interface RequestGoal {
  /** Sum over queries of the distinct repositories each returned. */
  query_results: number;
  probes: number;
  pages: number;
  /** 1.2 × ⌈query_results / 100⌉ + probes (issue #2). */
  goal: number;
  within_goal: boolean;
}

export interface DiscoveryLog {
  run_id: string;
  status: 'complete' | 'incomplete';
  started_at: string;
  finished_at: string;
  resumed: boolean;
  strata_file: string;
  strata_sha256: string;
  stratum_filter: string | null;
  include_archived: boolean;
  until_day: string;
  tokens: number;
  manifest: { path: string; records: number; bytes: number; sha256: string } | null;
  counts: SelectionReport | null;
  api: ApiStatsSnapshot;
  request_goal: RequestGoal;
  queries: QueryRecall[];
  failures: Record<string, string>;
  malformed_nodes: number;
  ledger: LedgerEntry[];
}

const LEAF: ReadonlySet<string> = new Set(['done', 'short', 'capped']);

export function isRootKey(key: string): boolean {
  return key.endsWith('|c:*|s:*');
}

export function queryRecalls(ledger: readonly LedgerEntry[]): QueryRecall[] {
  const byQuery = new Map<string, LedgerEntry[]>();
  for (const entry of ledger) {
    const id = entry.key.split('|')[0]!;
    const list = byQuery.get(id) ?? [];
    list.push(entry);
    byQuery.set(id, list);
  }
  const recalls: QueryRecall[] = [];
  for (const entries of byQuery.values()) {
    const root = entries.find((e) => isRootKey(e.key));
    const first = root ?? entries[0]!;
    const leaves = entries.filter((e) => LEAF.has(e.status));
    // A leaf's count: the larger of its probe (or estimate) and what the pages reported.
    const reportedInSlices = leaves.reduce(
      (s, e) => s + Math.max(e.reported_count ?? 0, e.reported_at_fetch ?? 0),
      0,
    );
    const fetched = leaves.reduce((s, e) => s + e.fetched_count, 0);
    const reportedTotal = root?.reported_count ?? null;
    const denominator = Math.max(reportedTotal ?? 0, reportedInSlices);
    recalls.push({
      stratum: first.stratum,
      query_index: first.query_index,
      query: first.query,
      reported_total: reportedTotal,
      reported_in_slices: reportedInSlices,
      fetched,
      slices: leaves.length,
      short_slices: leaves.filter((e) => e.status === 'short').length,
      capped_slices: leaves.filter((e) => e.status === 'capped').length,
      estimated_recall:
        denominator > 0 ? Math.min(1, fetched / denominator) : root?.status === 'subsumed' ? null : 1,
      ...(root?.note ? { note: root.note } : {}),
    });
  }
  return recalls;
}

export function requestGoal(ledger: readonly LedgerEntry[], api: ApiStatsSnapshot): RequestGoal {
  const queryResults = ledger.filter((e) => LEAF.has(e.status)).reduce((s, e) => s + e.fetched_count, 0);
  const goal = 1.2 * Math.ceil(queryResults / 100) + api.calls.probe;
  return {
    query_results: queryResults,
    probes: api.calls.probe,
    pages: api.calls.page,
    goal: Math.round(goal * 10) / 10,
    within_goal: api.calls.probe + api.calls.page <= goal,
  };
}

export function manifestSummary(written: WrittenManifest | null): DiscoveryLog['manifest'] {
  return written
    ? { path: written.file, records: written.records, bytes: written.bytes, sha256: written.sha256 }
    : null;
}
