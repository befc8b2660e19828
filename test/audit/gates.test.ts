import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditConfigError, DEFAULT_THRESHOLDS, parseThresholds } from '../../src/audit/audit-config.js';
import { runAudit } from '../../src/audit/index.js';
import { tempDir } from '../support/tmp.js';
import { writeDataset } from './dataset.js';

let dir: string;
let cleanup: () => void;
let files: ReturnType<typeof writeDataset>;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('audit-gates'));
  files = writeDataset(dir);
});
afterAll(() => cleanup());

async function gate(id: string, yaml: string): Promise<{ pass: boolean; evidence: string }> {
  const gatesFile = path.join(dir, `gates-${id}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(gatesFile, yaml);
  const r = await runAudit({ ...files, gatesFile, outDir: dir, section: 'gates' });
  const g = r.gates.find((x) => x.id === id);
  if (!g) throw new Error(`no gate ${id}`);
  return g;
}

// The shared 7-row dataset: 4 effective rows; LangChain 2, CrewAI 2; deployment ≥ 3 in 2 repos;
// R1 in 3 repos; topology T1 shared by 2 repos; 2 empty, 1 failed of 7; median coverage 0.8.
const CASES: Array<{ id: string; pass: string; fail: string; evidence: RegExp }> = [
  {
    id: 'G1',
    pass: 'gates: {G1_volume: {min_effective_rows: 4}}',
    fail: 'gates: {G1_volume: {min_effective_rows: 5}}',
    evidence: /^4 success\+partial rows/,
  },
  {
    id: 'G2',
    pass: 'gates: {G2_frameworks: {frameworks: [LangChain, CrewAI], min_repos_each: 2}}',
    fail: 'gates: {G2_frameworks: {frameworks: [LangChain, CrewAI], min_repos_each: 3}}',
    evidence: /LangChain 2, CrewAI 2/,
  },
  {
    id: 'G3',
    pass: 'gates: {G3_maturity: {min_deployment_score: 3, min_repos: 2}}',
    fail: 'gates: {G3_maturity: {min_deployment_score: 3, min_repos: 3}}',
    evidence: /^2 repos with deployment_score ≥ 3/,
  },
  {
    id: 'G4',
    pass: 'gates: {G4_rules: {min_rules: 1, min_repos_per_rule: 3}}',
    fail: 'gates: {G4_rules: {min_rules: 2, min_repos_per_rule: 3}}',
    evidence: /^1 of 3 rules fire in ≥ 3 repos/,
  },
  {
    id: 'G5',
    // Over all rows, as the reference's audit.py measures its duplicate rate.
    pass: 'gates: {G5_duplicates: {min_others: 1, max_share: 0.29}}',
    fail: 'gates: {G5_duplicates: {min_others: 1, max_share: 0.28}}',
    evidence: /^2 of 7 rows \(28\.57%\) share a topology hash with ≥ 1 others/,
  },
  {
    id: 'G6',
    pass: 'gates: {G6_empty: {max_share: 0.29}}',
    fail: 'gates: {G6_empty: {max_share: 0.28}}',
    evidence: /^2 of 7 rows empty \(28\.57%/,
  },
  {
    id: 'G7',
    pass: 'gates: {G7_failed: {max_share: 0.15}}',
    fail: 'gates: {G7_failed: {max_share: 0.14}}',
    evidence: /^1 of 7 rows failed \(14\.29%/,
  },
  {
    id: 'G8',
    pass: 'gates: {G8_coverage: {min_median_ratio: 0.8}}',
    fail: 'gates: {G8_coverage: {min_median_ratio: 0.81}}',
    evidence: /^median files_scanned\/files_total 0\.800 over 3 repos/,
  },
];

describe('quality gates at their thresholds', () => {
  for (const c of CASES) {
    it(`${c.id} passes at the threshold and fails just beyond it`, async () => {
      const pass = await gate(c.id, c.pass);
      expect(pass.pass).toBe(true);
      expect(pass.evidence).toMatch(c.evidence);
      expect((await gate(c.id, c.fail)).pass).toBe(false);
    });
  }
});

describe('gate configuration', () => {
  it('keeps defaults for missing keys and rejects bad values with the key named', () => {
    expect(parseThresholds('gates: {G6_empty: {max_share: 0.3}}', 'x.yaml')).toEqual({
      ...DEFAULT_THRESHOLDS,
      g6MaxEmptyShare: 0.3,
    });
    expect(() => parseThresholds('gates: {G6_empty: {max_share: 30}}', 'x.yaml')).toThrow(
      'x.yaml: gates.G6_empty.max_share must be a number between 0 and 1, got 30',
    );
    expect(() => parseThresholds('gates: {G1_volume: {min_effective_rows: -1}}', 'x.yaml')).toThrow(
      AuditConfigError,
    );
  });

  it('the shipped config/audit-gates.yaml equals the built-in defaults', async () => {
    const { loadThresholds } = await import('../../src/audit/audit-config.js');
    const { thresholds, source } = await loadThresholds();
    expect(source).toMatch(/config\/audit-gates\.yaml$/);
    expect(thresholds).toEqual(DEFAULT_THRESHOLDS);
  });
});
