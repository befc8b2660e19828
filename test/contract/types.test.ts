import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { generate, TARGETS } from '../../scripts/gen-contract-types.mjs';
import { validateManifestRecord } from '../../src/core/contract/index.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('generated contract types', () => {
  for (const [schemaPath, out, name] of TARGETS as [string, string, string][]) {
    it(`${out} is up to date with ${schemaPath} (run npm run gen:types)`, async () => {
      process.chdir(root);
      expect(readFileSync(path.join(root, out), 'utf8')).toBe(await generate(schemaPath, name));
    });
  }
});

describe('manifest records', () => {
  const good = {
    repo_full_name: 'acme/agent-x',
    repo_url: 'https://github.com/acme/agent-x',
    repo_hash: 'h1',
    org: 'acme',
    github_stars: 3,
    github_forks: 0,
    github_size_kb: 120,
    last_commit_date: '2025-07-01T00:00:00Z',
    repo_created_date: '2024-01-01T00:00:00Z',
    is_fork: false,
    fork_parent: null,
    license: 'MIT',
    github_topics: ['ai'],
    primary_language: 'Python',
    language_bytes: { Python: 1000 },
    default_branch: 'main',
    head_sha: 'a'.repeat(40),
    is_archived: false,
    discovery_query: 'crewai created:2025-01-01..2025-01-31',
    selection_stratum: 'crewai',
    matched_strata: ['crewai'],
    discovered_at: '2026-11-25T00:00:00Z',
  };

  it('accepts a complete record', () => {
    expect(validateManifestRecord(good).ok).toBe(true);
  });

  it.each([
    ['../x', '/repo_full_name'],
    ['-oProxyCommand=x/y', '/repo_full_name'],
    ['acme/..', '/repo_full_name'],
    ['acme/аgent', '/repo_full_name'], // Cyrillic "а"
  ])('rejects the hostile name %s', (name, pointer) => {
    const r = validateManifestRecord({ ...good, repo_full_name: name });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.pointer)).toContain(pointer);
  });

  it('names every missing or wrong field', () => {
    const { org: _org, ...rest } = good;
    const r = validateManifestRecord({ ...rest, github_stars: -1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.pointer).sort()).toEqual(['/github_stars', '/org']);
  });
});
