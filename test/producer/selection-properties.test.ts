import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { type DependencyEvidence, evidenceTier } from '../../src/producer/discover/dependency-evidence.js';
import type { DiscoveredRepo } from '../../src/producer/discover/repository.js';
import {
  type Hit,
  type SelectedRepo,
  type SelectionOptions,
  sampleRank,
  selectRepositories,
} from '../../src/producer/discover/selection.js';
import { repo, shuffled } from './selection-fixtures.js';

// Property tests of discovery's selection (docs/design-discovery.md "Selection", docs/backfill.md
// "primary and reserve rows"): many seeded random worlds of search hits — repositories found by
// several strata and slices, names in any letter case, fork families with discovered, outside
// and unknown parents, archived/mirror/empty repositories, dependency evidence — and the rules
// checked on each from the hits alone.

const SEEDS = 200;
const STRATUM_NAMES = ['alpha', 'beta', 'gamma'];
const FRAMEWORKS = ['langchain', 'crewai', 'autogen'];
const key = (name: string) => name.toLowerCase();

interface World {
  hits: Hit[];
  options: SelectionOptions;
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function randomCase(next: () => number, name: string): string {
  return [...name].map((ch) => (next() < 0.5 ? ch.toUpperCase() : ch)).join('');
}

function randomEvidence(next: () => number): DependencyEvidence | undefined {
  const roll = next();
  if (roll < 0.4) return undefined;
  if (roll < 0.5) return { files: [], frameworks: [] };
  return {
    files: ['requirements.txt'],
    frameworks: FRAMEWORKS.filter(() => next() < 0.4),
  };
}

/** A world of hits drawn from `seed`: 1–3 strata, 4–40 repositories, 1–3 hits each. */
function randomWorld(seed: number): World {
  const next = mulberry32(seed);
  const strata = STRATUM_NAMES.slice(0, 1 + Math.floor(next() * 3)).map((name) => ({
    name,
    target: Math.floor(next() * 12),
    reserveFactor: pick(next, [undefined, 0, 0.3, 0.6, 1, 2]),
    evidence: pick(next, [undefined, ['langchain'], ['crewai', 'autogen'], ['any']]),
  }));
  const names: string[] = [];
  const repos: DiscoveredRepo[] = [];
  const count = 4 + Math.floor(next() * 37);
  for (let i = 0; i < count; i++) {
    const fullName = `owner${i % 7}/repo${i}`;
    const isFork = next() < 0.4;
    const parentRoll = next();
    const parent = !isFork
      ? null
      : parentRoll < 0.3
        ? null
        : parentRoll < 0.7 && names.length > 0
          ? randomCase(next, pick(next, names))
          : `gone${Math.floor(next() * 3)}/lib`;
    const brokenHead = next();
    names.push(fullName);
    repos.push(
      repo(fullName, {
        isFork,
        parent,
        stars: Math.floor(next() * 4),
        pushedAt: pick(next, [null, '2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z', '2026-01-01T00:00:00Z']),
        isArchived: next() < 0.1,
        isMirror: next() < 0.06,
        defaultBranch: brokenHead < 0.04 ? null : 'main',
        headSha: brokenHead >= 0.04 && brokenHead < 0.08 ? null : 'b'.repeat(40),
        ...(() => {
          const evidence = randomEvidence(next);
          return evidence ? { evidence } : {};
        })(),
      }),
    );
  }
  const hits: Hit[] = [];
  for (const r of repos) {
    const times = 1 + Math.floor(next() * 3);
    // A slice returns a repository once: its hits are in different slices.
    const slices = new Set<string>();
    for (let h = 0; h < times; h++) {
      const stratumIndex = Math.floor(next() * strata.length);
      const queryIndex = Math.floor(next() * 2);
      const createdFrom = pick(next, ['', '2025-01-01', '2025-06-01']);
      const starsFrom = pick(next, [-1, 9, 10, 100]);
      const slice = `${stratumIndex} ${queryIndex} ${createdFrom} ${starsFrom}`;
      if (slices.has(slice)) continue;
      slices.add(slice);
      hits.push({
        stratum: strata[stratumIndex]!.name,
        stratumIndex,
        queryIndex,
        createdFrom,
        starsFrom,
        // Unlike the numbers, these strings do not sort in the slices' order ("stars:10" < "stars:9").
        sliceQuery: `${['zeta', 'eta', 'theta'][stratumIndex]} q${queryIndex} created:${createdFrom} stars:${starsFrom}`,
        discoveredAt: `2026-11-2${h}T00:00:00Z`,
        repo: { ...r, fullName: randomCase(next, r.fullName) },
      });
    }
  }
  return {
    hits: shuffled(hits, next),
    options: {
      strata,
      seed: `seed-${seed}`,
      includeArchived: next() < 0.25,
      ...(next() < 0.3 ? { preferEvidence: false } : {}),
    },
  };
}

/** The documented order of the hits of one repository: stratum, query, slice (created, stars). */
function firstHit(hits: Hit[]): Hit {
  return [...hits].sort(
    (a, b) =>
      a.stratumIndex - b.stratumIndex ||
      a.queryIndex - b.queryIndex ||
      a.createdFrom.localeCompare(b.createdFrom) ||
      a.starsFrom - b.starsFrom ||
      a.sliceQuery.localeCompare(b.sliceQuery),
  )[0]!;
}

function isExcluded(r: DiscoveredRepo, includeArchived: boolean): boolean {
  return !r.defaultBranch || !r.headSha || ((r.isArchived || r.isMirror) && !includeArchived);
}

/** Most stars, then latest push (a repository never pushed counts as the oldest), then name. */
function betterFork(a: DiscoveredRepo, b: DiscoveredRepo): number {
  return (
    b.stars - a.stars ||
    (b.pushedAt ?? '').localeCompare(a.pushedAt ?? '') ||
    key(a.fullName).localeCompare(key(b.fullName))
  );
}

/** What the rules of the docs say each repository of a world becomes, derived from the hits. */
function expectedOutcome(world: World) {
  const byKey = new Map<string, Hit[]>();
  for (const h of world.hits)
    byKey.set(key(h.repo.fullName), [...(byKey.get(key(h.repo.fullName)) ?? []), h]);
  const first = new Map([...byKey].map(([k, hs]) => [k, firstHit(hs)]));
  const discovered = new Set(
    [...first].filter(([, h]) => !isExcluded(h.repo, world.options.includeArchived)).map(([k]) => k),
  );
  const families = new Map<string, DiscoveredRepo[]>();
  const eligible = new Set<string>();
  let forksFound = 0;
  let forksOfDiscovered = 0;
  for (const k of discovered) {
    const r = first.get(k)!.repo;
    if (!r.isFork) eligible.add(k);
    else {
      forksFound++;
      if (r.parent === null) eligible.add(k);
      else if (discovered.has(key(r.parent))) forksOfDiscovered++;
      else families.set(key(r.parent), [...(families.get(key(r.parent)) ?? []), r]);
    }
  }
  for (const members of families.values()) eligible.add(key(members.sort(betterFork)[0]!.fullName));
  const unknownParents = [...discovered].filter(
    (k) => first.get(k)!.repo.isFork && first.get(k)!.repo.parent === null,
  );
  return { byKey, first, discovered, eligible, forksFound, forksOfDiscovered, families, unknownParents };
}

/** The sampler's documented order within a stratum: evidence tier (when preferred), then sha256 rank. */
function samplerOrder(
  world: World,
  stratum: SelectionOptions['strata'][number],
  keys: string[],
  first: Map<string, Hit>,
) {
  const prefer = world.options.preferEvidence !== false;
  const accepted = stratum.evidence ?? ['any'];
  const tierOf = (k: string) => (prefer ? evidenceTier(first.get(k)!.repo.evidence, accepted) : 1);
  const rankOf = (k: string) => documentedRank(world.options.seed, stratum.name, first.get(k)!.repo.fullName);
  return [...keys].sort((a, b) => tierOf(a) - tierOf(b) || (rankOf(a) < rankOf(b) ? -1 : 1));
}

/** docs/backfill.md: sha256 of the seed, the stratum and the lower-case name joined by NUL bytes, in hex. */
function documentedRank(seed: string, stratum: string, fullName: string): string {
  return createHash('sha256').update(`${seed}\0${stratum}\0${fullName.toLowerCase()}`).digest('hex');
}

const names = (rows: SelectedRepo[]) => rows.map((s) => key(s.repo.fullName));

describe('selection properties over many seeded worlds', () => {
  it('one record per repository, under the first stratum in file order, with every stratum that found it', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const world = randomWorld(seed);
      const { selected, report } = selectRepositories(world.hits, world.options);
      const { byKey, first } = expectedOutcome(world);
      expect(new Set(names(selected)).size, `seed ${seed}`).toBe(selected.length);
      for (const row of selected) {
        const hits = byKey.get(key(row.repo.fullName))!;
        const strataFound = world.options.strata
          .map((s) => s.name)
          .filter((n) => hits.some((h) => h.stratum === n));
        const head = first.get(key(row.repo.fullName))!;
        expect({ ...row, reserveRank: undefined }, `seed ${seed}`).toEqual({
          repo: head.repo,
          selectionStratum: strataFound[0],
          matchedStrata: strataFound,
          discoveryQuery: head.sliceQuery,
          discoveredAt: head.discoveredAt,
          reserveRank: undefined,
        });
      }
      expect(report).toMatchObject({
        search_results: world.hits.length,
        after_dedup: byKey.size,
        duplicates_removed: world.hits.length - byKey.size,
        selected: selected.length,
        sampling_seed: world.options.seed,
      });
      for (const s of world.options.strata)
        expect(report.per_stratum[s.name]!.matched, `seed ${seed} ${s.name}`).toBe(
          [...byKey.values()].filter((hs) => hs.some((h) => h.stratum === s.name)).length,
        );
      // The manifest lists its rows by name, whatever the strata and ranks.
      expect(names(selected)).toEqual([...names(selected)].sort((a, b) => a.localeCompare(b)));
    }
  });

  it('the fork rule: no fork of a discovered repository, one fork per outside parent, every fork with an unknown parent its own family', () => {
    let unknownParentForks = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const world = randomWorld(seed);
      // Targets larger than any stratum: nothing is sampled out, so the selection is the eligible set.
      const everything: World = {
        ...world,
        options: { ...world.options, strata: world.options.strata.map((s) => ({ ...s, target: 1000 })) },
      };
      const { selected, report } = selectRepositories(everything.hits, everything.options);
      const expected = expectedOutcome(everything);
      unknownParentForks += expected.unknownParents.length;
      expect(names(selected).sort(), `seed ${seed}`).toEqual([...expected.eligible].sort());
      for (const row of selected) {
        expect(isExcluded(row.repo, world.options.includeArchived), `seed ${seed}`).toBe(false);
        if (row.repo.parent)
          expect(expected.discovered.has(key(row.repo.parent)), `seed ${seed}`).toBe(false);
      }
      for (const k of expected.unknownParents) expect(names(selected), `seed ${seed}`).toContain(k);
      const kept = expected.families.size + expected.unknownParents.length;
      expect(report.forks, `seed ${seed}`).toEqual({
        found: expected.forksFound,
        removed_parent_discovered: expected.forksOfDiscovered,
        removed_extra_per_parent: expected.forksFound - expected.forksOfDiscovered - kept,
        kept,
      });
      expect(report.forks_removed).toBe(expected.forksFound - kept);
      const excludedTotal = report.excluded.archived + report.excluded.mirror + report.excluded.empty;
      expect(report.after_fork_filter).toBe(report.after_dedup - excludedTotal - report.forks_removed);
      expect(report.after_fork_filter).toBe(expected.eligible.size);
    }
    // The worlds do hold forks with unknown parents, several in one world.
    expect(unknownParentForks).toBeGreaterThan(SEEDS / 2);
  });

  it('exclusions: empty always, archived and mirror unless kept, each counted once under its first reason', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const world = randomWorld(seed);
      const { report } = selectRepositories(world.hits, world.options);
      const { first } = expectedOutcome(world);
      const repos = [...first.values()].map((h) => h.repo);
      const empty = repos.filter((r) => !r.defaultBranch || !r.headSha);
      const rest = repos.filter((r) => !empty.includes(r));
      const keep = world.options.includeArchived;
      expect(report.excluded, `seed ${seed}`).toEqual({
        empty: empty.length,
        archived: keep ? 0 : rest.filter((r) => r.isArchived).length,
        mirror: keep ? 0 : rest.filter((r) => !r.isArchived && r.isMirror).length,
      });
    }
  });

  it('the sampler: primary = min(target, found), then a reserve ranked 1…n, in the documented order', () => {
    let reserveRows = 0;
    let evidenceRows = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const world = randomWorld(seed);
      const { selected, report } = selectRepositories(world.hits, world.options);
      const { first, eligible } = expectedOutcome(world);
      for (const s of world.options.strata) {
        const pool = [...eligible].filter((k) => first.get(k)!.stratum === s.name);
        const order = samplerOrder(world, s, pool, first);
        const primary = Math.min(s.target, pool.length);
        const reserve = Math.min(Math.ceil(s.target * (s.reserveFactor ?? 0)), pool.length - primary);
        const rows = selected.filter((r) => r.selectionStratum === s.name);
        const primaryRows = rows.filter((r) => r.reserveRank === undefined);
        const reserveRows_ = rows
          .filter((r) => r.reserveRank !== undefined)
          .sort((a, b) => a.reserveRank! - b.reserveRank!);
        const where = `seed ${seed} ${s.name}`;
        expect(names(primaryRows).sort(), where).toEqual(order.slice(0, primary).sort());
        expect(names(reserveRows_), where).toEqual(order.slice(primary, primary + reserve));
        expect(
          reserveRows_.map((r) => r.reserveRank),
          where,
        ).toEqual(Array.from({ length: reserve }, (_, i) => i + 1));
        const withEvidence = pool.some((k) => first.get(k)!.repo.evidence !== undefined);
        const tierZero = order
          .slice(0, primary)
          .filter((k) => evidenceTier(first.get(k)!.repo.evidence, s.evidence ?? ['any']) === 0).length;
        expect(report.per_stratum[s.name], where).toEqual({
          target: s.target,
          found: pool.length,
          eligible: pool.length,
          matched: report.per_stratum[s.name]!.matched,
          primary,
          reserve,
          selected: primary + reserve,
          sampled_out: pool.length - primary - reserve,
          shortfall: s.target - primary,
          ...(withEvidence ? { primary_with_evidence: tierZero } : {}),
        });
        reserveRows += reserve;
        if (withEvidence) evidenceRows += tierZero;
      }
    }
    // The worlds exercise what is checked: reserves and evidence-ranked primaries.
    expect(reserveRows).toBeGreaterThan(SEEDS);
    expect(evidenceRows).toBeGreaterThan(SEEDS / 2);
  });

  it('is deterministic: the same hits in any order give the same selection and report', () => {
    for (let seed = 1; seed <= SEEDS / 3; seed++) {
      const world = randomWorld(seed);
      const once = selectRepositories(world.hits, world.options);
      const again = selectRepositories(shuffled(world.hits, mulberry32(seed * 7919)), world.options);
      expect(again, `seed ${seed}`).toEqual(once);
    }
  });
});

describe('selection rules, one example each', () => {
  const strata = [
    { name: 'langchain', target: 10 },
    { name: 'autogen', target: 10 },
  ];
  const base = { seed: 's', includeArchived: false };
  const at = (stratumIndex: number, r: DiscoveredRepo, slice: Partial<Hit> = {}): Hit => ({
    stratum: strata[stratumIndex]!.name,
    stratumIndex,
    queryIndex: 0,
    createdFrom: '',
    starsFrom: -1,
    sliceQuery: `${strata[stratumIndex]!.name} q0`,
    discoveredAt: `2026-11-0${stratumIndex + 1}T00:00:00Z`,
    repo: r,
    ...slice,
  });

  it('the first stratum in file order decides the record, whatever its query text or slice', () => {
    const a = repo('o/a', { stars: 5 });
    // The second stratum's query text sorts first and its slice starts lower; the file order wins.
    const hits = [
      at(1, { ...a, stars: 7 }, { sliceQuery: 'a autogen', starsFrom: 0, createdFrom: '2024-01-01' }),
      at(0, a, { sliceQuery: 'z langchain', starsFrom: 500, createdFrom: '2025-01-01' }),
    ];
    for (const order of [hits, [...hits].reverse()]) {
      const [row] = selectRepositories(order, { ...base, strata }).selected;
      expect(row).toMatchObject({
        selectionStratum: 'langchain',
        matchedStrata: ['langchain', 'autogen'],
        discoveryQuery: 'z langchain',
        discoveredAt: '2026-11-01T00:00:00Z',
      });
      expect(row!.repo.stars).toBe(5);
    }
  });

  it('within one query the slice with the lower stars bound decides, compared as numbers', () => {
    const a = repo('o/a');
    const hits = [
      at(0, a, { starsFrom: 10, sliceQuery: 'langchain stars:10..99' }),
      at(0, a, { starsFrom: 9, sliceQuery: 'langchain stars:9..9' }),
    ];
    for (const order of [hits, [...hits].reverse()])
      expect(selectRepositories(order, { ...base, strata }).selected[0]!.discoveryQuery).toBe(
        'langchain stars:9..9',
      );
  });

  it('keeps every fork whose parent GitHub did not name: each is its own family', () => {
    const forks = ['a/copy', 'b/copy', 'c/copy'].map((n) => repo(n, { isFork: true, parent: null }));
    const { selected, report } = selectRepositories(
      forks.map((f) => at(0, f)),
      { ...base, strata },
    );
    expect(selected.map((s) => s.repo.fullName)).toEqual(['a/copy', 'b/copy', 'c/copy']);
    expect(report.forks).toEqual({
      found: 3,
      removed_parent_discovered: 0,
      removed_extra_per_parent: 0,
      kept: 3,
    });
  });

  it('of two forks with equal stars the one pushed keeps the family over one never pushed', () => {
    const pushed = repo('z/fork', { isFork: true, parent: 'gone/lib', pushedAt: '2020-01-01T00:00:00Z' });
    const never = repo('a/fork', { isFork: true, parent: 'gone/lib', pushedAt: null });
    for (const order of [
      [pushed, never],
      [never, pushed],
    ])
      expect(
        selectRepositories(
          order.map((r) => at(0, r)),
          { ...base, strata },
        ).selected.map((s) => s.repo.fullName),
      ).toEqual(['z/fork']);
  });

  it('excludes a repository with a default branch but no head commit, and one with neither', () => {
    const hits = [
      at(0, repo('o/no-head', { headSha: null })),
      at(0, repo('o/no-branch', { defaultBranch: null })),
      at(0, repo('o/ok')),
    ];
    const { selected, report } = selectRepositories(hits, { ...base, strata, includeArchived: true });
    expect(selected.map((s) => s.repo.fullName)).toEqual(['o/ok']);
    expect(report.excluded).toEqual({ archived: 0, mirror: 0, empty: 2 });
  });

  it('ranks by sha256 of seed, stratum and lower-case name, so a user can redo the sample', () => {
    expect(sampleRank('s', 'langchain', 'Owner/Repo')).toBe(documentedRank('s', 'langchain', 'owner/repo'));
    // Hundreds of repositories in one stratum: the primary rows and the reserve in rank order.
    const many = Array.from({ length: 300 }, (_, i) => at(0, repo(`Owner${i}/Repo`)));
    const { selected } = selectRepositories(many, {
      ...base,
      strata: [{ name: 'langchain', target: 100, reserveFactor: 0.5 }],
    });
    const byRank = many
      .map((h) => h.repo.fullName)
      .sort((a, b) => (documentedRank('s', 'langchain', a) < documentedRank('s', 'langchain', b) ? -1 : 1));
    const primary = selected.filter((s) => s.reserveRank === undefined).map((s) => s.repo.fullName);
    const reserve = selected
      .filter((s) => s.reserveRank !== undefined)
      .sort((a, b) => a.reserveRank! - b.reserveRank!)
      .map((s) => s.repo.fullName);
    expect(primary.sort()).toEqual(byRank.slice(0, 100).sort());
    expect(reserve).toEqual(byRank.slice(100, 150));
  });

  it('prefers repositories whose files name a framework, for a stratum without an evidence list too', () => {
    const evidence = (frameworks: string[]): DependencyEvidence => ({
      files: ['pyproject.toml'],
      frameworks,
    });
    // Many repositories with no known evidence, one naming a framework, one naming none.
    const hits = [
      ...Array.from({ length: 20 }, (_, i) => at(0, repo(`o/unknown${i}`))),
      at(0, repo('o/named', { evidence: evidence(['crewai']) })),
      at(0, repo('o/none', { evidence: evidence([]) })),
    ];
    const one = [{ name: 'langchain', target: 1 }];
    const preferred = selectRepositories(hits, { ...base, strata: one });
    expect(preferred.selected.map((s) => s.repo.fullName)).toEqual(['o/named']);
    expect(preferred.report.per_stratum.langchain!.primary_with_evidence).toBe(1);
    // Without the preference the seeded rank alone decides (and `o/named` is not its first).
    const plain = selectRepositories(hits, { ...base, strata: one, preferEvidence: false });
    const first = hits
      .map((h) => h.repo.fullName)
      .sort((a, b) => (sampleRank('s', 'langchain', a) < sampleRank('s', 'langchain', b) ? -1 : 1))[0];
    expect(first).not.toBe('o/named');
    expect(plain.selected.map((s) => s.repo.fullName)).toEqual([first]);
    // The repository whose files name no framework comes after those not known.
    const last = selectRepositories(hits, { ...base, strata: [{ name: 'langchain', target: 21 }] });
    expect(last.selected.map((s) => s.repo.fullName)).not.toContain('o/none');
  });
});
