import type { DiscoveredRepo } from '../../src/producer/discover/repository.js';

/** A discovered repository with plain defaults (not a fork, not archived, has a head). */
export function repo(fullName: string, extra: Partial<DiscoveredRepo> = {}): DiscoveredRepo {
  return {
    fullName,
    url: `https://github.com/${fullName}`,
    owner: fullName.split('/')[0]!,
    stars: 1,
    forks: 0,
    diskUsageKb: 10,
    pushedAt: '2026-01-01T00:00:00Z',
    createdAt: '2025-01-01T00:00:00Z',
    isFork: false,
    parent: null,
    license: 'MIT',
    topics: [],
    primaryLanguage: 'Python',
    languageBytes: { Python: 100 },
    defaultBranch: 'main',
    headSha: 'a'.repeat(40),
    isArchived: false,
    isMirror: false,
    ...extra,
  };
}

/** A Fisher–Yates shuffle driven by `next` (a seeded generator in [0, 1)). */
export function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let j = out.length - 1; j > 0; j--) {
    const k = Math.floor(next() * (j + 1));
    [out[j], out[k]] = [out[k]!, out[j]!];
  }
  return out;
}
