import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import type { LedgerEntry } from '../../src/producer/discover/checkpoint.js';
import type { DiscoveredRepo } from '../../src/producer/discover/repository.js';
import { shortSlices } from '../../src/producer/discover/run-discover.js';
import { type Hit, selectRepositories } from '../../src/producer/discover/selection.js';
import { repo, shuffled } from './selection-fixtures.js';

const STRATA = [
  { name: 'first', target: 100 },
  { name: 'second', target: 100 },
];

function hit(stratumIndex: number, r: DiscoveredRepo, queryIndex = 0, createdFrom = ''): Hit {
  return {
    stratum: STRATA[stratumIndex]!.name,
    stratumIndex,
    queryIndex,
    createdFrom,
    starsFrom: -1,
    sliceQuery: `q${stratumIndex}.${queryIndex} ${createdFrom}`,
    discoveredAt: `2026-11-25T00:00:0${stratumIndex}Z`,
    repo: r,
  };
}

const select = (hits: Hit[], strata = STRATA, includeArchived = false) =>
  selectRepositories(hits, { strata, seed: 'seed', includeArchived });

describe('selection', () => {
  it('keeps one record per repository under the first stratum, listing every stratum', () => {
    const a = repo('o/a');
    // Found by the second stratum first in time, but the first stratum comes first in the file.
    const { selected, report } = select([
      hit(1, a),
      hit(0, a, 1),
      hit(0, a, 0, '2025-02-01'),
      hit(0, a, 0, '2025-01-01'),
    ]);
    expect(selected).toHaveLength(1);
    expect(selected[0]).toMatchObject({
      selectionStratum: 'first',
      matchedStrata: ['first', 'second'],
      discoveryQuery: 'q0.0 2025-01-01',
    });
    expect(report).toMatchObject({ search_results: 4, after_dedup: 1, duplicates_removed: 3 });
  });

  it('drops forks of discovered parents and keeps one fork per parent: most stars, then latest push', () => {
    const parent = repo('up/tool');
    const forkOfDiscovered = repo('x/tool', { isFork: true, parent: 'UP/tool' });
    const f1 = repo('a/lib', {
      isFork: true,
      parent: 'gone/lib',
      stars: 5,
      pushedAt: '2025-01-01T00:00:00Z',
    });
    const f2 = repo('b/lib', {
      isFork: true,
      parent: 'gone/lib',
      stars: 9,
      pushedAt: '2024-01-01T00:00:00Z',
    });
    const f3 = repo('c/lib', {
      isFork: true,
      parent: 'gone/lib',
      stars: 9,
      pushedAt: '2025-06-01T00:00:00Z',
    });
    const { selected, report } = select([parent, forkOfDiscovered, f1, f2, f3].map((r) => hit(0, r)));
    expect(selected.map((s) => s.repo.fullName).sort()).toEqual(['c/lib', 'up/tool']);
    expect(report.forks).toEqual({
      found: 4,
      removed_parent_discovered: 1,
      removed_extra_per_parent: 2,
      kept: 1,
    });
    expect(report.forks_removed).toBe(3);
  });

  it('drops a fork of a discovered fork whatever order the hits arrive in', () => {
    // A chain: grand ← mid ← leaf, all discovered. mid goes (its parent was discovered), and so
    // does leaf (its parent, mid, was discovered too), in either order and with either naming.
    for (const [leafName, midName] of [
      ['a/agent', 'z/agent'],
      ['z/agent', 'a/agent'],
    ] as const) {
      const grand = repo('up/agent');
      const mid = repo(midName, { isFork: true, parent: 'up/agent' });
      const leaf = repo(leafName, { isFork: true, parent: midName });
      const other = repo('o/other');
      const inFetchOrder = [grand, mid, leaf, other].map((r) => hit(0, r));
      // A page re-fetched after it came back incomplete: its repositories arrive last.
      const pageRefetched = [grand, leaf, other, mid].map((r) => hit(0, r));
      for (const hits of [inFetchOrder, pageRefetched, [...inFetchOrder].reverse()]) {
        const { selected, report } = select(hits);
        expect(selected.map((s) => s.repo.fullName)).toEqual(['o/other', 'up/agent']);
        expect(report.forks).toEqual({
          found: 2,
          removed_parent_discovered: 2,
          removed_extra_per_parent: 0,
          kept: 0,
        });
      }
    }
  });

  it('selects the same records from the same hits in any order', () => {
    // Fork families with chains, several strata, sampling: a seeded shuffle of the hits (as
    // faults and parallel tokens reorder them) never changes the selection.
    const hits: Hit[] = [];
    for (let family = 0; family < 20; family++) {
      const root = repo(`root${family}/lib`, { stars: family });
      const members = [root];
      for (let i = 0; i < 6; i++) {
        const parentOf = members[(family * 7 + i * 3) % members.length]!;
        members.push(
          repo(`m${family}x${i}/lib`, {
            isFork: true,
            parent: family % 4 === 0 && i === 0 ? `outside${family}/lib` : parentOf.fullName,
            stars: (family + i) % 3,
            pushedAt: `2025-0${1 + (i % 9)}-01T00:00:00Z`,
          }),
        );
      }
      // A family found in one slice, and again (in part) by the other stratum.
      for (const m of members) hits.push(hit(family % 2, m, 0, '2025-01-01'));
      for (const m of members.slice(3)) hits.push(hit((family + 1) % 2, m, 1, '2025-01-02'));
    }
    const strata = [
      { name: 'first', target: 40 },
      { name: 'second', target: 30 },
    ];
    const reference = select(hits, strata);
    const next = mulberry32(12345);
    for (let round = 0; round < 50; round++) {
      const again = select(shuffled(hits, next), strata);
      expect(again.selected).toEqual(reference.selected);
      expect(again.report).toEqual(reference.report);
    }
  });

  it('excludes archived, mirror and empty repositories unless archived ones are kept', () => {
    const hits = [
      hit(0, repo('o/archived', { isArchived: true })),
      hit(0, repo('o/mirror', { isMirror: true })),
      hit(0, repo('o/empty', { defaultBranch: null, headSha: null })),
      hit(0, repo('o/ok')),
    ];
    expect(select(hits).report.excluded).toEqual({ archived: 1, mirror: 1, empty: 1 });
    expect(select(hits).selected.map((s) => s.repo.fullName)).toEqual(['o/ok']);
    expect(select(hits, STRATA, true).selected).toHaveLength(3);
  });

  it('samples down to the target with the seed, the same way every time, and records shortfalls', () => {
    const many = Array.from({ length: 50 }, (_, i) => hit(0, repo(`o/r${i}`)));
    const strata = [
      { name: 'first', target: 10 },
      { name: 'second', target: 5 },
    ];
    const one = select(many, strata);
    const two = select([...many].reverse(), strata);
    expect(one.selected).toHaveLength(10);
    expect(one.selected.map((s) => s.repo.fullName)).toEqual(two.selected.map((s) => s.repo.fullName));
    const other = selectRepositories(many, { strata, seed: 'other', includeArchived: false });
    expect(other.selected.map((s) => s.repo.fullName)).not.toEqual(one.selected.map((s) => s.repo.fullName));
    expect(one.report.per_stratum.first).toMatchObject({
      eligible: 50,
      selected: 10,
      sampled_out: 40,
      shortfall: 0,
    });
    expect(one.report.per_stratum.second).toMatchObject({ selected: 0, shortfall: 5 });
  });
});

describe('shortSlices', () => {
  it('counts the short leaf slices and the repositories their smallest count promised beyond those returned', () => {
    const entry = (status: string, reported: number | null, atFetch: number | null, fetched: number) =>
      ({
        status,
        reported_count: reported,
        reported_at_fetch: atFetch,
        fetched_count: fetched,
      }) as LedgerEntry;
    expect(
      shortSlices([
        entry('done', 500, 500, 500),
        entry('short', 120, 110, 100),
        entry('short', null, 1500, 990),
        entry('split', 5000, null, 0),
      ]),
    ).toEqual({ slices: 2, unreturned: 10 + 10 });
    expect(shortSlices([entry('done', 10, 10, 10)])).toEqual({ slices: 0, unreturned: 0 });
  });
});
