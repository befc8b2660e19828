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
