import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import { tempDir } from '../support/tmp.js';
import { writeDataset } from './dataset.js';

let dir: string;
let cleanup: () => void;
let audit: any;
let report: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('audit-sections'));
  const { input, manifest, strataFile } = writeDataset(dir);
  const result = await runAudit({ input, manifest, strataFile, outDir: dir });
  audit = JSON.parse(readFileSync(result.auditJsonPath, 'utf8'));
  report = readFileSync(result.reportPath, 'utf8');
});
afterAll(() => cleanup());

describe('audit sections on a hand-made file (7 rows)', () => {
  it('volume: status table, effective size, failure reasons, manifest join', () => {
    const v = audit.sections.volume;
    expect(v.rows).toBe(7);
    expect(v.by_status).toEqual({ success: 3, partial: 1, empty: 2, failed: 1 });
    expect(v.effective_size).toBe(4);
    expect(v.failure_reasons).toEqual(
      expect.arrayContaining([
        { status: 'failed', reason: 'clone_404', rows: 1 },
        { status: 'empty', reason: 'no_agents', rows: 1 },
        { status: 'empty', reason: 'no_python', rows: 1 },
        { status: 'partial', reason: 'parse_timeout', rows: 1 },
      ]),
    );
    expect(v.failure_reasons).toHaveLength(4);
    expect(v.manifest_rows).toBe(7);
    expect(v.manifest_repos_without_row).toBe(0);
    expect(v.rows_not_in_manifest).toBe(0);
    expect(report).toContain('**Effective size** (success + partial): **4** rows.');
  });

  it("frameworks: counts over effective rows and the gap to G2's per-framework minimum (as G2 says)", () => {
    const f = audit.sections.frameworks.frameworks;
    // Every framework G2 names is listed, found or not.
    expect(f.map((x: any) => [x.framework, x.repos])).toEqual([
      ['CrewAI', 2],
      ['LangChain', 2],
      ['LangGraph', 1],
      ['AutoGen', 0],
      ['LlamaIndex', 0],
    ]);
    const lc = f.find((x: any) => x.framework === 'LangChain');
    expect(lc).toMatchObject({
      stratum: 'langchain_active',
      stratum_target: 10,
      g2_min_repos: 1000,
      gap_to_g2: 998,
      share_of_effective: 0.5,
    });
    expect(f.find((x: any) => x.framework === 'CrewAI')).toMatchObject({ stratum: 'crewai', gap_to_g2: 998 });
    // The same shortfall G2's evidence gives.
    const g2 = audit.gates.find((g: any) => g.id === 'G2');
    expect(g2.evidence).toContain('LangChain 2');
    expect(g2.evidence).toContain('each needs ≥ 1000');
    expect(report).toMatch(/LangGraph\s+1\s+█+/);
  });

  it('scores: ten buckets, mean and median of risk_score', () => {
    const s = audit.sections.scores;
    expect(s.repos).toBe(4);
    expect(s.mean).toBe(53.75);
    expect(s.median).toBe(55);
    expect(s.buckets.map((b: any) => b.repos)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(s.buckets[9].range).toBe('90–100');
  });

  it('findings: repos per rule, share, median fix impact, rare flag', () => {
    const r = audit.sections.findings.rules;
    expect(r).toEqual([
      { rule: 'R1', repos: 3, share_of_effective: 0.75, median_fix_impact: -20, rare: true },
      { rule: 'R2', repos: 1, share_of_effective: 0.25, median_fix_impact: -4, rare: true },
      { rule: 'R3', repos: 1, share_of_effective: 0.25, median_fix_impact: -1, rare: true },
    ]);
    expect(audit.sections.findings.rare_rules).toBe(3);
  });

  it('maturity: deployment_score histogram 0–5', () => {
    const m = audit.sections.maturity;
    expect(m.histogram.map((h: any) => h.repos)).toEqual([1, 1, 0, 1, 0, 1]);
    expect(m.repos_at_least_min).toBe(2);
  });

  it('duplicates: clusters, contamination rate and fork families', () => {
    const d = audit.sections.duplicates;
    expect(d).toMatchObject({
      repos_with_hash: 4,
      distinct_hashes: 3,
      clusters: 1,
      repos_in_clusters: 2,
      clusters_of_10_plus: 0,
      redundant_copies: 1,
      contamination_rate: 0.25,
      fork_families: { manifest_forks: 1, families: 1 },
    });
    expect(d.largest_clusters).toEqual([
      { topology_signature_hash: 'T1', members: 2, sample_members: ['a/r1', 'a/r2'] },
    ]);
  });

  it('coverage: ratio distribution, median, share under 50 %, Python share from the manifest', () => {
    const c = audit.sections.coverage;
    expect(c.repos).toBe(3);
    expect(c.files_total_zero).toBe(1);
    expect(c.median_ratio).toBe(0.8);
    expect(c.under_half).toBe(1);
    expect(c.buckets.map((b: any) => b.repos)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
    expect(c.python.python_byte_share).toBeCloseTo(800 / 950, 10);
    expect(c.python.python_primary_share).toBeCloseTo(6 / 7, 10);
    expect(c.python.repos_without_python).toBe(1);
  });

  it('strata: actual vs target, unknown strata listed', () => {
    const s = audit.sections.strata;
    expect(s.strata).toEqual([
      { stratum: 'langchain_active', target: 10, rows: 3, effective: 1, share_of_target: 0.1, gap: 9 },
      { stratum: 'crewai', target: 4, rows: 2, effective: 2, share_of_target: 0.5, gap: 2 },
      { stratum: 'langgraph', target: 2, rows: 1, effective: 1, share_of_target: 0.5, gap: 1 },
    ]);
    expect(s.unknown_strata).toEqual([{ stratum: 'mystery', rows: 1, effective: 0 }]);
    expect(audit.strata_source).toMatch(/strata\.yaml$/);
  });

  it('gates and recommendations are derived from the numbers', () => {
    expect(audit.gates.map((g: any) => g.id)).toEqual(['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G8']);
    // Default thresholds on 7 rows: only G5 (no cluster of 11+) and G8 (median 0.8) pass.
    const byId = Object.fromEntries(audit.gates.map((g: any) => [g.id, g.pass]));
    expect(byId).toEqual({
      G1: false,
      G2: false,
      G3: false,
      G4: false,
      G5: true,
      G6: false,
      G7: false,
      G8: true,
    });
    const recs: string[] = audit.sections.recommendations.recommendations;
    expect(
      recs.some((r) => r.startsWith('Scan more LlamaIndex repositories: 0 found, 1000 more needed')),
    ).toBe(true);
    expect(recs.some((r) => r.includes('3 rules are too rare'))).toBe(true);
    expect(report).toContain('| G8 | parse coverage | PASS |');
  });

  it('--section runs one section only and writes nothing', async () => {
    const { dir: d2, cleanup: c2 } = tempDir('audit-section');
    try {
      const { input, strataFile } = writeDataset(d2);
      const md = await runAudit({ input, strataFile, outDir: path.join(d2, 'out'), section: 'scores' });
      expect(md.output).toContain('## Risk scores');
      expect(md.output).not.toContain('## Volume');
      expect(md.reportPath).toBe('');
      const js = await runAudit({
        input,
        strataFile,
        outDir: path.join(d2, 'out'),
        section: 'maturity',
        format: 'json',
      });
      expect(JSON.parse(js.output)).toMatchObject({ section: 'maturity', repos_at_least_min: 2 });
      await expect(runAudit({ input, outDir: d2, section: 'nope' })).rejects.toThrow(
        'unknown section "nope"; valid sections: volume, frameworks, scores, findings, maturity, duplicates, coverage, strata, gates, recommendations',
      );
    } finally {
      c2();
    }
  });
});
