import { createHash } from 'node:crypto';
import { evidenceTier } from './dependency-evidence.js';
import type { DiscoveredRepo } from './repository.js';

/**
 * From raw search hits to the manifest's repositories (pure): one record per repository
 * across strata, archived/mirror/empty repositories excluded, the fork rule applied, and each
 * stratum sampled with a seeded, deterministic sample: its target's worth of primary rows, then
 * a reserve (target × reserve factor) the back-fill scans when primary rows come back empty or
 * failed. With evidence preferred, repositories whose dependency files name one of the
 * stratum's frameworks come first, those known to name none last.
 */
export interface Hit {
  stratum: string;
  /** The stratum's place in the strata file (`SelectionOptions.strata` keeps that order). */
  stratumIndex: number;
  queryIndex: number;
  /** Start of the slice's created range (YYYY-MM-DD) or '' for an unsliced query. */
  createdFrom: string;
  starsFrom: number;
  /** The search string of the slice that found it. */
  sliceQuery: string;
  discoveredAt: string;
  repo: DiscoveredRepo;
}

export interface SelectedRepo {
  repo: DiscoveredRepo;
  selectionStratum: string;
  matchedStrata: string[];
  discoveryQuery: string;
  discoveredAt: string;
  /** Set on a reserve row: its 1-based place in the stratum's reserve order. */
  reserveRank?: number;
}

export interface StratumCount {
  target: number;
  /** Repositories this stratum keeps after dedup, exclusions and the fork rule (= eligible). */
  found: number;
  /** Rows meant to be scanned: min(target, found). */
  primary: number;
  /** Rows in reserve, scanned only to back-fill: min(⌈target × reserve factor⌉, found − primary). */
  reserve: number;
  /** Unique repositories any query of the stratum found. */
  matched: number;
  /** Repositories whose first finding stratum is this one, after exclusions and the fork rule. */
  eligible: number;
  /** primary + reserve: the stratum's manifest rows. */
  selected: number;
  sampled_out: number;
  /** target − primary: rows missing before any scan (no reserve can cover it). */
  shortfall: number;
  /** Primary rows whose dependency files name one of the stratum's frameworks (evidence fetched). */
  primary_with_evidence?: number;
}

export interface SelectionReport {
  search_results: number;
  after_dedup: number;
  duplicates_removed: number;
  excluded: { archived: number; mirror: number; empty: number };
  forks: { found: number; removed_parent_discovered: number; removed_extra_per_parent: number; kept: number };
  forks_removed: number;
  after_fork_filter: number;
  selected: number;
  sampling_seed: string;
  per_stratum: Record<string, StratumCount>;
}

export interface SelectionOptions {
  /** The strata searched, in strata-file order. */
  strata: ReadonlyArray<{
    name: string;
    target: number;
    reserveFactor?: number;
    evidence?: readonly string[];
  }>;
  seed: string;
  includeArchived: boolean;
  /** Rank repositories with dependency evidence for their stratum first (default true). */
  preferEvidence?: boolean;
}

function compareHits(a: Hit, b: Hit): number {
  return (
    a.stratumIndex - b.stratumIndex ||
    a.queryIndex - b.queryIndex ||
    a.createdFrom.localeCompare(b.createdFrom) ||
    a.starsFrom - b.starsFrom ||
    a.sliceQuery.localeCompare(b.sliceQuery) ||
    keyOf(a.repo.fullName).localeCompare(keyOf(b.repo.fullName))
  );
}

const keyOf = (fullName: string) => fullName.toLowerCase();

/** Deterministic sample rank: the same seed and repository always rank the same. */
export function sampleRank(seed: string, stratum: string, fullName: string): string {
  return createHash('sha256')
    .update(`${seed}\0${stratum}\0${keyOf(fullName)}`)
    .digest('hex');
}

/** Ascending sample ranks (hex digests of distinct names: two repositories never tie). */
function compareRanks(a: string, b: string): number {
  if (a < b) return -1;
  // Stryker disable next-line all: V8's sort only asks whether a comparison is below 0, and ranks never tie
  return a > b ? 1 : 0;
}

export function selectRepositories(
  hits: readonly Hit[],
  options: SelectionOptions,
): { selected: SelectedRepo[]; report: SelectionReport } {
  const sorted = [...hits].sort(compareHits);

  // 1. Dedup: the first hit in strata-file order decides stratum, query and metadata. The hits
  //    are sorted by stratum first, so each repository's strata arrive in file order.
  const unique = new Map<string, SelectedRepo>();
  for (const hit of sorted) {
    const key = keyOf(hit.repo.fullName);
    const record = unique.get(key);
    if (!record)
      unique.set(key, {
        repo: hit.repo,
        selectionStratum: hit.stratum,
        matchedStrata: [hit.stratum],
        discoveryQuery: hit.sliceQuery,
        discoveredAt: hit.discoveredAt,
      });
    else if (!record.matchedStrata.includes(hit.stratum)) record.matchedStrata.push(hit.stratum);
  }
  const perStratum: Record<string, StratumCount> = {};
  for (const s of options.strata) {
    perStratum[s.name] = {
      target: s.target,
      found: 0,
      primary: 0,
      reserve: 0,
      matched: 0,
      eligible: 0,
      selected: 0,
      sampled_out: 0,
      shortfall: 0,
    };
  }
  for (const record of unique.values()) for (const name of record.matchedStrata) perStratum[name]!.matched++;

  // 2. Exclusions: archived and mirror repositories (unless kept), empty repositories always.
  const excluded = { archived: 0, mirror: 0, empty: 0 };
  const kept = new Map<string, SelectedRepo>();
  for (const [key, record] of unique) {
    const { repo } = record;
    if (!repo.defaultBranch || !repo.headSha) excluded.empty++;
    else if (repo.isArchived && !options.includeArchived) excluded.archived++;
    else if (repo.isMirror && !options.includeArchived) excluded.mirror++;
    else kept.set(key, record);
  }

  // 3. Forks: none whose parent was itself discovered; of the rest, one per parent (most
  //    stars, then latest push, then name).
  const forks = { found: 0, removed_parent_discovered: 0, removed_extra_per_parent: 0, kept: 0 };
  const forksByParent = new Map<string, SelectedRepo[]>();
  // "Discovered" is decided on the set before this loop removes anything: asking the shrinking
  // `kept` would keep a fork of a removed fork or not depending on which of the two came first
  // in the hits, and that order moves with faults (a page re-fetched after it came back
  // incomplete) and with which token finished first.
  const discovered = new Set(kept.keys());
  for (const [key, record] of kept) {
    const { repo } = record;
    if (!repo.isFork) continue;
    forks.found++;
    const parent = repo.parent ? keyOf(repo.parent) : `(unknown parent of ${key})`;
    if (discovered.has(parent)) {
      kept.delete(key);
      forks.removed_parent_discovered++;
      continue;
    }
    const group = forksByParent.get(parent) ?? [];
    group.push(record);
    forksByParent.set(parent, group);
  }
  for (const group of forksByParent.values()) {
    group.sort(
      (a, b) =>
        b.repo.stars - a.repo.stars ||
        (b.repo.pushedAt ?? '').localeCompare(a.repo.pushedAt ?? '') ||
        keyOf(a.repo.fullName).localeCompare(keyOf(b.repo.fullName)),
    );
    forks.kept++;
    for (const extra of group.slice(1)) {
      kept.delete(keyOf(extra.repo.fullName));
      forks.removed_extra_per_parent++;
    }
  }
  const afterForkFilter = kept.size;

  // 4. Targets: a seeded sample down to the target; a shortfall is recorded, never padded.
  const byStratum = new Map<string, SelectedRepo[]>();
  for (const record of kept.values()) {
    const list = byStratum.get(record.selectionStratum) ?? [];
    list.push(record);
    byStratum.set(record.selectionStratum, list);
  }
  const selected: SelectedRepo[] = [];
  const preferEvidence = options.preferEvidence !== false;
  for (const s of options.strata) {
    const list = byStratum.get(s.name) ?? [];
    const count = perStratum[s.name]!;
    count.eligible = list.length;
    count.found = list.length;
    // Stryker disable next-line ArrayDeclaration: evidenceTier reads an empty list as "any" too
    const accepted = s.evidence ?? ['any'];
    const ranked = list
      .map((record) => ({
        record,
        tier: preferEvidence ? evidenceTier(record.repo.evidence, accepted) : 1,
        rank: sampleRank(options.seed, s.name, record.repo.fullName),
      }))
      .sort((a, b) => a.tier - b.tier || compareRanks(a.rank, b.rank));
    const primary = Math.min(s.target, ranked.length);
    const reserve = Math.min(Math.ceil(s.target * (s.reserveFactor ?? 0)), ranked.length - primary);
    for (const r of ranked.slice(0, primary)) selected.push(r.record);
    ranked.slice(primary, primary + reserve).forEach((r, i) => {
      selected.push({ ...r.record, reserveRank: i + 1 });
    });
    count.primary = primary;
    count.reserve = reserve;
    count.selected = primary + reserve;
    count.sampled_out = ranked.length - primary - reserve;
    count.shortfall = s.target - primary;
    if (ranked.some((r) => r.record.repo.evidence))
      count.primary_with_evidence = ranked
        .slice(0, primary)
        .filter((r) => evidenceTier(r.record.repo.evidence, accepted) === 0).length;
  }
  selected.sort((a, b) => keyOf(a.repo.fullName).localeCompare(keyOf(b.repo.fullName)));

  return {
    selected,
    report: {
      search_results: hits.length,
      after_dedup: unique.size,
      duplicates_removed: hits.length - unique.size,
      excluded,
      forks,
      forks_removed: forks.removed_parent_discovered + forks.removed_extra_per_parent,
      after_fork_filter: afterForkFilter,
      selected: selected.length,
      sampling_seed: options.seed,
      per_stratum: perStratum,
    },
  };
}
