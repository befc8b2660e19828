import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeGitHub,
  type FakeRepo,
  generatePopulation,
  startFakeGitHub,
} from '../support/fake-github/index.js';
import { tempDir } from '../support/tmp.js';
import { discoverInProcess, fakeEnv, readManifest, TOKEN_A, writeStrata } from './discover-helpers.js';

// Issue #2: a page that comes back incomplete is re-fetched, so its repositories reach the
// selection after the pages that followed it. The manifest must not depend on that order.
const DAY_MS = 86_400_000;
const BASE = generatePopulation({ size: 300, seed: 11 });

/** A repository of the family searched below: one page, one slice, created on `day`. */
function member(i: number, name: string, day: number, parent: string | null): FakeRepo {
  const template = BASE[i]!;
  const [owner, repoName] = name.split('/') as [string, string];
  const description = 'orchestrix agent demo';
  return {
    ...template,
    nodeId: `R_orchestrix_${i}`,
    databaseId: 900_000 + i,
    owner,
    name: repoName,
    fullName: name,
    description,
    topics: ['agent'],
    createdAt: Date.parse('2025-06-01T12:00:00Z') + day * DAY_MS,
    pushedAt: Date.parse('2026-01-01T00:00:00Z'),
    isFork: parent !== null,
    parent,
    isArchived: false,
    isMirror: false,
    defaultBranch: 'main',
    headSha: 'b'.repeat(40),
    searchText: `${repoName} ${description} agent`.toLowerCase(),
  };
}

// grand ← mid ← leaf: mid's parent was discovered, and so was leaf's (mid).
const FAMILY = [
  member(0, 'upstream/orchestrix', 0, null),
  member(1, 'mid-dev/orchestrix', 1, 'upstream/orchestrix'),
  member(2, 'leaf-dev/orchestrix', 2, 'mid-dev/orchestrix'),
  member(3, 'solo-a/orchestrix-tool', 3, null),
  member(4, 'solo-b/orchestrix-lab', 4, null),
];

let fake: FakeGitHub;
const tmp = tempDir('discover-refetch');

beforeAll(async () => {
  fake = await startFakeGitHub({ population: [...BASE, ...FAMILY], tokens: [TOKEN_A] });
});

afterAll(async () => {
  await fake.stop();
  tmp.cleanup();
});

describe('discover: a page re-fetched after it came back incomplete', () => {
  it('selects the same manifest as a clean run (fork of a discovered fork dropped either way)', async () => {
    const strataFile = await writeStrata(
      tmp.dir,
      'family.yaml',
      'seed: 1\nstrata:\n  - name: family\n    target: 100\n    queries: [orchestrix]\n',
    );
    const run = async (dir: string) => {
      const outcome = await discoverInProcess(fakeEnv(fake, [TOKEN_A]), path.join(tmp.dir, dir), {
        strataFile,
      });
      const manifest = await readManifest(path.join(tmp.dir, dir, 'repo_manifest.jsonl'));
      return { log: outcome.outcome.log!, manifest };
    };
    const names = (rows: Array<{ repo_full_name: string }>) => rows.map((r) => r.repo_full_name);

    const clean = await run('clean');
    fake.resetStats();
    // The page holding mid-dev/orchestrix comes back without it: leaf arrives before mid.
    Object.assign(fake.faults, { incompleteOnce: ['mid-dev/orchestrix'] });
    const faulted = await run('faulted');
    expect(fake.stats.faults.incomplete_results).toBe(1);
    expect(faulted.log.ledger.find((e) => e.status === 'done')?.attempts).toBe(2);

    expect(names(faulted.manifest)).toEqual(names(clean.manifest));
    expect(names(clean.manifest)).toEqual([
      'solo-a/orchestrix-tool',
      'solo-b/orchestrix-lab',
      'upstream/orchestrix',
    ]);
    expect(faulted.log.counts!.forks).toEqual(clean.log.counts!.forks);
    expect(clean.log.counts!.forks.removed_parent_discovered).toBe(2);
  });
});
