import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import { createGeneratorContext, generatePing } from '../../src/testdata/index.js';
import { tempDir } from '../support/tmp.js';

// Files in the shape the reference Python pipeline writes (every row one its validation.py
// accepts), with what the reference's own audit.py computes on each, recorded beside them
// (`*.reference.json`, the command in its `how` field; no Python runs here):
// - generated-150.jsonl: `stratum-pipeline generate-test-data --shape reference --count 150 --seed 11`
// - boundaries.jsonl: build-boundaries.mjs, 200 rows on the gates' edges (G5 at exactly 5.0 % with a
//   cluster of exactly 10, G6 at 20.0 %, G7 at 10.0 %, G8's exact median 0.7996) plus rows
//   with absent or null fields and deployment scores of 6.
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/reference-shape');

interface Reference {
  rows: number;
  gates: Record<string, boolean>;
  status: Record<string, number>;
  frameworks: Record<string, number>;
  deployment_histogram: Record<string, number>;
  risk_buckets: Record<string, number>;
  rule_repos: Record<string, number>;
  median_impact: Record<string, number>;
  distinct_hashes: number;
  clusters_of_10_plus: number;
  rows_in_clusters_of_10_plus: number;
  coverage_quartiles: number[] | null;
  coverage_n: number;
  strata: Record<string, number>;
}

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('audit-reference-parity')));
afterAll(() => cleanup());

async function audit(name: string, strict = false) {
  const outDir = path.join(dir, `${name}${strict ? '-strict' : ''}`);
  const r = await runAudit({ input: path.join(FIXTURES, `${name}.jsonl`), outDir, strict });
  return { result: r, json: JSON.parse(readFileSync(r.auditJsonPath, 'utf8')) };
}

describe.each(['generated-150', 'boundaries'])(
  '%s: the same counts and verdicts as the reference audit.py',
  (name) => {
    const ref = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.reference.json`), 'utf8')) as Reference;

    it('audits every row, with the reference gate verdicts and section counts', async () => {
      const { result, json } = await audit(name);
      const s = json.sections;
      expect(result.rows).toBe(ref.rows);
      expect(result.invalidRows).toBe(0);
      expect(Object.fromEntries(result.gates.map((g) => [g.id, g.pass]))).toEqual(ref.gates);

      expect(Object.fromEntries(Object.entries(s.volume.by_status).filter(([, n]) => n))).toEqual(ref.status);
      expect(Object.fromEntries(s.frameworks.frameworks.map((f: any) => [f.framework, f.repos]))).toEqual(
        ref.frameworks,
      );

      const histogram: Record<string, number> = {};
      for (const h of s.maturity.histogram) if (h.repos) histogram[String(h.score)] = h.repos;
      const above5 = Object.entries(ref.deployment_histogram).filter(([k]) => Number(k) > 5);
      expect(histogram).toEqual(
        Object.fromEntries(Object.entries(ref.deployment_histogram).filter(([k]) => Number(k) <= 5)),
      );
      expect(s.maturity.above_5).toBe(above5.reduce((a, [, n]) => a + n, 0));

      const buckets: Record<string, number> = {};
      s.scores.buckets.forEach((b: any, i: number) => {
        if (b.repos) buckets[String(i * 10)] = b.repos;
      });
      expect(buckets).toEqual(ref.risk_buckets);

      expect(Object.fromEntries(s.findings.rules.map((r: any) => [r.rule, r.repos]))).toEqual(ref.rule_repos);
      for (const r of s.findings.rules) expect(r.median_fix_impact, r.rule).toBe(ref.median_impact[r.rule]);

      expect(s.duplicates.distinct_hashes).toBe(ref.distinct_hashes);
      expect(s.duplicates.clusters_of_10_plus).toBe(ref.clusters_of_10_plus);
      expect(s.duplicates.repos_sharing_with_min_others).toBe(ref.rows_in_clusters_of_10_plus);

      const q = s.coverage.quartiles;
      expect(q ? [q.min, q.q1, q.median, q.q3, q.max] : null).toEqual(ref.coverage_quartiles);
      expect(s.coverage.repos).toBe(ref.coverage_n);
      if (name === 'boundaries')
        expect(result.gates.find((g) => g.id === 'G8')?.evidence).toContain('0.800 (exactly 0.7996)');

      const strata: Record<string, number> = {};
      for (const r of [...s.strata.strata, ...s.strata.unknown_strata])
        if (r.rows) strata[r.stratum] = r.rows;
      expect(strata).toEqual(ref.strata);
    });

    it('--strict refuses the file: no row of the lighter shape passes the full contract', async () => {
      await expect(audit(name, true)).rejects.toThrow(
        `no readable row (0 corrupt lines, ${ref.rows} invalid rows)`,
      );
      expect((await audit(name)).result.nonConformingRows).toBe(ref.rows);
    });
  },
);

describe('--strict (the former behaviour)', () => {
  it('audits only contract-valid rows and reports the same conformance section', async () => {
    const ctx = createGeneratorContext(3, 60);
    const valid = Array.from({ length: 60 }, (_, i) => JSON.stringify(generatePing(ctx, i)));
    const light = readFileSync(path.join(FIXTURES, 'boundaries.jsonl'), 'utf8').split('\n').filter(Boolean);
    const input = path.join(dir, 'mixed.jsonl');
    writeFileSync(input, `${[...valid, ...light].join('\n')}\n`);
    const strict = await runAudit({ input, outDir: path.join(dir, 'mixed-strict'), strict: true });
    const lenient = await runAudit({ input, outDir: path.join(dir, 'mixed') });
    expect([strict.rows, strict.invalidRows, strict.nonConformingRows]).toEqual([60, 200, 0]);
    expect([lenient.rows, lenient.invalidRows, lenient.nonConformingRows]).toEqual([260, 0, 200]);
    const s = JSON.parse(readFileSync(strict.auditJsonPath, 'utf8'));
    const l = JSON.parse(readFileSync(lenient.auditJsonPath, 'utf8'));
    expect(s.strict).toBe(true);
    expect(s.sections.volume.excluded_by_rule).toEqual({ 'contract (--strict)': 200 });
    expect(s.sections.volume.invalid[0]).toMatchObject({ line: 61, repo: 'edge-org/repo-0' });
    expect(s.sections.conformance.deviations).toEqual(l.sections.conformance.deviations);
    expect(
      l.sections.conformance.deviations.find((d: any) => d.deviation === 'repo_url: missing'),
    ).toMatchObject({ rows: 190, example_lines: [61, 62, 63, 64, 65] });
  });
});

describe('the conformance section', () => {
  it('counts every deviation from the full contract per field and invariant, with example lines', async () => {
    const { json, result } = await audit('boundaries');
    const c = json.sections.conformance;
    const byKey = Object.fromEntries(c.deviations.map((d: any) => [d.deviation, d]));
    // Counted independently from the file: rows without repo_url / with a null repo_hash.
    const lines = readFileSync(path.join(FIXTURES, 'boundaries.jsonl'), 'utf8').split('\n').filter(Boolean);
    const rows = lines.map((l) => JSON.parse(l));
    const without = (f: string) => rows.flatMap((r, i) => (r[f] === undefined ? [i + 1] : []));
    expect(byKey['repo_url: missing'].rows).toBe(without('repo_url').length);
    expect(byKey['repo_url: missing'].example_lines).toEqual(without('repo_url').slice(0, 5));
    const nullHash = rows.flatMap((r, i) => (r.repo_hash === null ? [i + 1] : []));
    expect(byKey['repo_hash: must be string'].rows).toBe(nullHash.length);
    expect(byKey['repo_hash: must be string'].example_lines).toEqual(nullHash.slice(0, 5));
    // Invariant 6 counts only the contract's five signals; the reference counts every true key.
    const contractSignals = [
      'has_dockerfile',
      'has_ci_config',
      'has_tests',
      'has_lockfile',
      'has_env_example',
    ];
    const offScore = rows.filter(
      (r) =>
        r.deployment_signals &&
        r.deployment_signals.deployment_score !==
          contractSignals.filter((k) => r.deployment_signals[k] === true).length,
    );
    expect(offScore.length).toBeGreaterThan(100);
    expect(byKey['invariant 6 (deployment score)'].rows).toBe(offScore.length);
    // Empty rows lack the failure code the contract requires.
    expect(byKey['invariant 10 (status and failure reason)'].rows).toBe(
      rows.filter(
        (r) => r.scan_status === 'empty' || (r.scan_status === 'success' && r.failure_reason !== null),
      ).length,
    );
    expect(c.audited_not_conforming).toBe(result.nonConformingRows);
    const report = readFileSync(result.reportPath, 'utf8');
    expect(report).toContain('## Conformance');
    expect(report).toMatch(/\| repo_url: missing \| \d+ \| [\d.]+% \| \d+, \d+, \d+, \d+, \d+ \|/);
  });
});

describe('absent and null fields are unknown, never 0', () => {
  it('reports them per section and leaves them out of the measures', async () => {
    const { json } = await audit('boundaries');
    const s = json.sections;
    // boundaries.jsonl: row 4 has no deployment_signals, row 5 a null deployment_score.
    expect(s.maturity.unknown).toBe(2);
    expect(s.maturity.repos).toBe(140 - 2);
    // row 6 has no frameworks list; row 8 has files_total 0 (known, not a ratio).
    expect(s.frameworks.unknown).toBe(1);
    expect(s.coverage.files_total_zero).toBe(1);
    expect(s.coverage.unknown).toBe(0);
    expect(s.scores.unknown).toBe(0);
    expect(s.strata.rows_without_stratum).toBe(0);
  });
});
