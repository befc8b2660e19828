import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptanceProblems } from '../../src/audit/acceptance.js';
import { judgeLine } from '../../src/audit/line-verdict.js';
import { validatePing } from '../../src/core/contract/index.js';
import { createGeneratorContext, generatePing } from '../../src/testdata/index.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/reference-shape');
const rows = readFileSync(path.join(FIXTURES, 'boundaries.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Record<string, unknown>);
/** A success row of the reference's shape that its validation.py accepts. */
const light = () => structuredClone(rows[10] as Record<string, unknown>);
const failed = () => structuredClone(rows.find((r) => r.scan_status === 'failed') as Record<string, unknown>);

const rulesOf = (p: Record<string, unknown>) => acceptanceProblems(p).map((x) => x.rule);

describe('the reference acceptance rules (stratum-cli validation.py) and the field types', () => {
  it('on contract-valid pings, the shortcut (deployment rule only) agrees with the full check', () => {
    const ctx = createGeneratorContext(9, 400);
    const pings = Array.from(
      { length: 400 },
      (_, i) => generatePing(ctx, i) as unknown as Record<string, unknown>,
    );
    // Every contract-valid variant: the pings, and each with one more true deployment signal.
    const variants = pings.flatMap((p) => {
      const extra = structuredClone(p);
      if (extra.deployment_signals) (extra.deployment_signals as Record<string, unknown>).has_k8s = true;
      return [p, extra];
    });
    let rejected = 0;
    for (const p of variants) {
      expect(validatePing(p).ok).toBe(true);
      const full = acceptanceProblems(p);
      expect(acceptanceProblems(p, true)).toEqual(full);
      if (full.length) rejected++;
    }
    // The extra signal breaks the reference's rule in every effective ping, and nothing else does.
    expect(rejected).toBe(pings.filter((p) => p.deployment_signals).length);
  });

  it('accepts the reference shape, lighter failed and empty rows included', () => {
    for (const r of rows) expect(acceptanceProblems(r), String(r.repo_full_name)).toEqual([]);
  });

  // Each case breaks one rule of validation.py on a success row.
  const CASES: Array<[string, (p: Record<string, unknown>) => void]> = [
    ['reference: schema_id', (p) => (p.schema_id = 4)],
    ['reference: schema_version', (p) => (p.schema_version = '0.3.1')],
    ['reference: scanner_version', (p) => delete p.scanner_version],
    ['reference: finding_rule_count', (p) => (p.finding_rule_count = 9)],
    ['reference: finding_rule_count', (p) => delete p.finding_rule_count],
    ['reference: total_finding_instances', (p) => (p.total_finding_instances = 99)],
    ['reference: crew_size_distribution', (p) => (p.crew_count = 3)],
    ['reference: crew_size_distribution', (p) => (p.crew_count = null)],
    ['reference: agent_tool_count_distribution', (p) => (p.agent_tool_count_distribution = [])],
    ['reference: frameworks', (p) => (p.framework_versions = { Other: '1' })],
    [
      'reference: deployment_score',
      (p) => ((p.deployment_signals as Record<string, unknown>).deployment_score = 5),
    ],
    ['reference: inter_crew_edges', (p) => (p.inter_crew_edges = 3)],
    ['reference: inter_crew_edges', (p) => (p.inter_crew_edges = -1)],
    ['reference: fix_impact_estimates', (p) => (p.fix_impact_estimates = { R1: 2 })],
    ['type: scan_status', (p) => (p.scan_status = 'done')],
    ['type: repo_full_name', (p) => delete p.repo_full_name],
    ['type: risk_score', (p) => (p.risk_score = 'high')],
    ['type: risk_score', (p) => (p.risk_score = 140)],
    ['type: frameworks', (p) => (p.frameworks = 'LangChain')],
    ['type: files_total', (p) => (p.files_total = '12')],
    ['type: topology_signature_hash', (p) => (p.topology_signature_hash = 7)],
    [
      'type: deployment_signals.deployment_score',
      (p) => ((p.deployment_signals as Record<string, unknown>).deployment_score = 2.5),
    ],
    ['type: finding_instance_counts', (p) => (p.finding_instance_counts = { R: 'x' })],
  ];
  for (const [rule, breakIt] of CASES)
    it(`rejects a row that breaks ${rule}`, () => {
      const p = light();
      breakIt(p);
      expect(rulesOf(p)).toContain(rule);
    });

  it('checks only the field types on failed and empty rows, as the reference does', () => {
    const f = failed();
    f.schema_id = 99; // the reference writes failed/empty rows as they are
    f.risk_score = null;
    f.repo_hash = null;
    expect(acceptanceProblems(f)).toEqual([]);
    f.scan_status = 'crashed';
    expect(rulesOf(f)).toEqual(['type: scan_status']);
  });

  it('treats absent and null as unknown, not as a broken row', () => {
    const p = light();
    delete p.deployment_signals;
    p.risk_score = null;
    p.selection_stratum = null;
    delete p.frameworks;
    delete p.framework_versions;
    expect(acceptanceProblems(p)).toEqual([]);
    const v = judgeLine(JSON.stringify(p), 0, false, () => undefined);
    expect(v).toMatchObject({
      kind: 'row',
      nc: 1,
      row: { deploymentScore: null, risk: null, stratum: null, frameworks: null, primary: 'none' },
    });
  });

  it('--strict judges by the full contract and still reports the deviations', () => {
    const seen: string[][] = [];
    const line = JSON.stringify(light());
    expect(judgeLine(line, 3, true, (keys) => seen.push(keys))).toMatchObject({
      kind: 'invalid',
      rules: ['contract (--strict)'],
    });
    expect(judgeLine(line, 3, false, (keys) => seen.push(keys))).toMatchObject({ kind: 'row', nc: 1 });
    expect(seen[0]).toContain('archetype_class: missing');
    expect(seen[1]).toEqual(seen[0]);
  });
});
