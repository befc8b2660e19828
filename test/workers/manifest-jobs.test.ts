import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ManifestItem, readManifestJobs } from '../../src/producer/enqueue/manifest-jobs.js';
import { manifestRow, writeManifest } from '../support/git-repos.js';
import { tempDir } from '../support/tmp.js';

async function items(rows: Array<Record<string, unknown> | string>): Promise<ManifestItem[]> {
  const t = tempDir('stratum-manifest');
  const file = path.join(t.dir, 'm.jsonl');
  writeManifest(file, rows);
  const out: ManifestItem[] = [];
  for await (const i of readManifestJobs(file)) out.push(i);
  t.cleanup();
  return out;
}

describe('manifest rows → job data', () => {
  it('keeps job data small: only what the worker needs', async () => {
    const [item] = await items([manifestRow('a/b', 'https://github.com/a/b')]);
    expect(item).toMatchObject({ ok: true, job: { line: 1 } });
    const data = (item as { job: { data: Record<string, unknown> } }).job.data;
    expect(Object.keys(data).sort()).toEqual(
      [
        'github_size_kb',
        'matched_strata',
        'repo_full_name',
        'repo_hash',
        'repo_url',
        'selection_stratum',
      ].sort(),
    );
  });

  it('never puts credentials from a URL into Redis', async () => {
    const token = `ghp_${'a'.repeat(36)}`;
    const [item] = await items([manifestRow('a/b', `https://user:${token}@github.com/a/b`)]);
    const text = JSON.stringify(item);
    expect(text).not.toContain(token);
    expect(text).toMatch(/carried credentials/);
  });

  it('turns a schema-invalid row into a job that will write a failed row, and reports unusable lines', async () => {
    const out = await items([
      manifestRow('a/b', 'https://github.com/a/b', { github_stars: -1 }),
      'not json',
      '{"repo_url": "https://github.com/x/y"}',
      '[1,2]',
    ]);
    expect(out[0]).toMatchObject({
      ok: true,
      job: { data: { row_problem: expect.stringMatching(/line 1: \/github_stars/) } },
    });
    expect(out.slice(1).map((i) => (i.ok ? null : i.skipped.line))).toEqual([2, 3, 4]);
    expect(out[2]).toMatchObject({ ok: false, skipped: { reason: 'repo_full_name is missing' } });
  });
});
