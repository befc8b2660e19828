import { describe, expect, it } from 'vitest';
import { LeakageGroups } from '../../src/audit/split/grouping.js';

// The leakage guard's grouping as a property: for many seeded random sets of links (shared
// topology hashes, fork families, chains and cycles of them), repositories end in one group
// exactly when a path of shared keys joins them, the group is named by its lowest index, and
// its size is the number of repositories in it. Checked against a plain breadth-first search.

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function components(repos: number, links: Array<[number, string]>): number[] {
  const byKey = new Map<string, number[]>();
  for (const [i, key] of links) byKey.set(key, [...(byKey.get(key) ?? []), i]);
  const neighbours: number[][] = Array.from({ length: repos }, () => []);
  for (const members of byKey.values())
    for (const a of members) for (const b of members) if (a !== b) neighbours[a]?.push(b);
  const name = new Array<number>(repos).fill(-1);
  for (let start = 0; start < repos; start++) {
    if (name[start] !== -1) continue;
    const queue = [start];
    name[start] = start;
    while (queue.length > 0) {
      const cur = queue.pop() as number;
      for (const next of neighbours[cur] ?? [])
        if (name[next] === -1) {
          name[next] = start;
          queue.push(next);
        }
    }
  }
  return name;
}

describe('leakage groups', () => {
  it('join exactly the repositories a path of shared keys connects (500 seeded random cases)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = rng(seed);
      const repos = 2 + Math.floor(random() * 60);
      const keys = 1 + Math.floor(random() * repos);
      const links: Array<[number, string]> = [];
      const linkCount = Math.floor(random() * repos * 1.5);
      for (let k = 0; k < linkCount; k++)
        links.push([
          Math.floor(random() * repos),
          `${random() < 0.5 ? 'fork' : 'topo'}:${Math.floor(random() * keys)}`,
        ]);
      const groups = new LeakageGroups();
      for (let i = 0; i < repos; i++) groups.addRepo(i);
      for (const [i, key] of links) groups.link(i, key);
      const expected = components(repos, links);
      const sizes = new Map<number, number>();
      for (const root of expected) sizes.set(root, (sizes.get(root) ?? 0) + 1);
      for (let i = 0; i < repos; i++) {
        expect(groups.find(i), `seed ${seed}, repo ${i}`).toBe(expected[i]);
        expect(groups.groupSize(i), `seed ${seed}, repo ${i}`).toBe(sizes.get(expected[i] as number));
      }
    }
  });

  it('a repository without links is a group of one, named by itself', () => {
    const groups = new LeakageGroups();
    for (let i = 0; i < 5; i++) groups.addRepo(i);
    groups.link(1, 'fork:a/b');
    groups.link(3, 'fork:a/b');
    expect([0, 1, 2, 3, 4].map((i) => groups.find(i))).toEqual([0, 1, 2, 1, 4]);
    expect([0, 1, 2, 3, 4].map((i) => groups.groupSize(i))).toEqual([1, 2, 1, 2, 1]);
  });

  it('a long chain joined from its far end keeps the lowest index as the name, whatever the order of links', () => {
    const groups = new LeakageGroups();
    const n = 3000;
    for (let i = 0; i < n; i++) groups.addRepo(i);
    // Links that join high indices first, so the root must move down as the chain grows.
    for (let i = n - 1; i > 0; i--) {
      groups.link(i, `k${i}`);
      groups.link(i - 1, `k${i}`);
    }
    for (const i of [0, 1, 1500, n - 1]) expect(groups.find(i)).toBe(0);
    expect(groups.groupSize(n - 1)).toBe(n);
    groups.union(5, 7);
    expect(groups.groupSize(0)).toBe(n);
  });
});
