import { afterAll, describe, expect, it } from 'vitest';
import { validateManifestRecord } from '../../src/core/contract/index.js';
import { BASE_CHILD_ENV, runProcess } from '../../src/core/run-process.js';
import { buildExampleRepos, EXAMPLE_REPOS, manifestFor } from '../../src/demo/example-repos.js';
import { tempDir } from '../support/tmp.js';

describe('demo example repositories', () => {
  const tmp = tempDir('demo-repos');
  afterAll(() => tmp.cleanup());

  it('are real git repositories with stable commits and valid manifest rows', async () => {
    const built = await buildExampleRepos(tmp.dir);
    expect(built).toHaveLength(EXAMPLE_REPOS.length);
    for (const b of built) {
      const r = await runProcess('git', ['-C', b.dir, 'ls-files'], {
        timeoutMs: 10_000,
        env: { ...BASE_CHILD_ENV },
      });
      expect(r.stdout.trim().split('\n').sort()).toEqual(Object.keys(b.repo.files).sort());
    }
    const again = await buildExampleRepos(tmp.dir);
    expect(again.map((b) => b.headSha)).toEqual(built.map((b) => b.headSha));
    const rows = manifestFor(built);
    expect(new Set(rows.map((r) => r.repo_full_name)).size).toBe(rows.length);
    for (const row of rows) expect(validateManifestRecord(row)).toEqual({ ok: true, value: row });
  });
});

describe('end-to-end population', () => {
  const tmp = tempDir('population');
  afterAll(() => tmp.cleanup());

  it('is deterministic for a seed, has every variant, and leaves missing members without a directory', async () => {
    const { buildPopulation, populationManifest } = await import('../../src/demo/population.js');
    const { existsSync } = await import('node:fs');
    const a = await buildPopulation({ root: `${tmp.dir}/a`, count: 24, seed: 3, junkBytes: 1024 });
    const b = await buildPopulation({ root: `${tmp.dir}/b`, count: 24, seed: 3, junkBytes: 1024 });
    expect(a.map((m) => [m.fullName, m.variant])).toEqual(b.map((m) => [m.fullName, m.variant]));
    expect(new Set(a.map((m) => m.variant)).size).toBeGreaterThanOrEqual(5);
    for (const m of a) expect(existsSync(m.dir)).toBe(m.variant !== 'missing');
    for (const row of populationManifest(a)) expect(validateManifestRecord(row).ok).toBe(true);
  });
});
