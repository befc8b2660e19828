import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toSarif } from '../../src/scanner/report/sarif.js';
import { scanDirectory } from '../../src/scanner/scan.js';
import { writeTree } from './helpers.js';

/**
 * The rule catalogue as users see it in the SARIF log (severity, confidence, class and category
 * tags, incidents, regulatory clauses). Severities weigh the risk score and every field is a
 * column of the dataset, so a changed value must be a decision that updates this table, not an
 * accident: id, severity, confidence, class, category, incidents, regulatory.
 */
// biome-ignore format: one rule a line reads as a table
const CATALOGUE: [string, string, string, string, string, string[], string[]][] = [
  ['SEC-001', 'CRITICAL', 'probable', 'security', 'security', ['ECHOLEAK-2025', 'SLACK-AI-EXFIL-2024'], ['EU AI Act Art. 15', 'GDPR Art. 32']],
  ['SEC-002', 'HIGH', 'confirmed', 'security', 'security', ['REPLIT-DB-DELETE-2025'], ['EU AI Act Art. 14']],
  ['SEC-003', 'CRITICAL', 'confirmed', 'security', 'security', ['DOCKER-GORDON-2025'], ['EU AI Act Art. 14', 'EU AI Act Art. 15']],
  ['SEC-004', 'HIGH', 'confirmed', 'security', 'security', ['DOCKER-GORDON-2025'], ['EU AI Act Art. 15']],
  ['SEC-005', 'CRITICAL', 'confirmed', 'security', 'security', ['LANGCHAIN-PAL-RCE-2023'], ['EU AI Act Art. 15']],
  ['SEC-006', 'HIGH', 'probable', 'security', 'security', ['LANGCHAIN-PAL-RCE-2023'], ['EU AI Act Art. 15']],
  ['SEC-007', 'CRITICAL', 'probable', 'security', 'security', ['GITHUB-SECRET-LEAKS'], ['GDPR Art. 32']],
  ['SEC-008', 'HIGH', 'confirmed', 'security', 'security', ['GITHUB-SECRET-LEAKS'], ['GDPR Art. 32']],
  ['SEC-009', 'HIGH', 'probable', 'security', 'security', ['MCP-INSPECTOR-RCE-2025'], ['EU AI Act Art. 15']],
  ['SEC-010', 'MEDIUM', 'confirmed', 'security', 'security', ['MCP-POSTMARK-BACKDOOR-2025'], ['NIST AI RMF MAP 4.1']],
  ['SEC-011', 'HIGH', 'confirmed', 'security', 'security', [], ['EU AI Act Art. 15']],
  ['SEC-012', 'MEDIUM', 'confirmed', 'security', 'security', [], ['GDPR Art. 32']],
  ['SEC-013', 'MEDIUM', 'confirmed', 'security', 'security', [], ['NIST AI RMF MAP 4.1']],
  ['SEC-014', 'HIGH', 'probable', 'security', 'business', [], ['EU AI Act Art. 9']],
  ['SEC-015', 'LOW', 'possible', 'security', 'compliance', ['GITHUB-SECRET-LEAKS'], ['GDPR Art. 32']],
  ['SEC-016', 'MEDIUM', 'probable', 'security', 'security', [], ['EU AI Act Art. 15']],
  ['OPS-001', 'MEDIUM', 'confirmed', 'operational', 'operational', [], ['EU AI Act Art. 15']],
  ['OPS-002', 'MEDIUM', 'confirmed', 'operational', 'operational', [], []],
  ['OPS-003', 'MEDIUM', 'probable', 'operational', 'operational', [], ['EU AI Act Art. 15']],
  ['OPS-004', 'MEDIUM', 'probable', 'operational', 'operational', ['AGENT-RUNAWAY-COST'], ['EU AI Act Art. 15']],
  ['OPS-005', 'MEDIUM', 'confirmed', 'operational', 'operational', [], []],
  ['OPS-006', 'LOW', 'confirmed', 'operational', 'compliance', [], ['GDPR Art. 5']],
  ['OPS-007', 'LOW', 'probable', 'operational', 'compliance', [], ['GDPR Art. 28']],
  ['OPS-008', 'MEDIUM', 'possible', 'operational', 'operational', ['AGENT-RUNAWAY-COST'], []],
  ['OPS-009', 'LOW', 'possible', 'operational', 'operational', [], ['NIST AI RMF MAP 4.1']],
  ['OPS-010', 'LOW', 'possible', 'operational', 'operational', ['AGENT-RUNAWAY-COST'], []],
  ['OPS-011', 'LOW', 'confirmed', 'operational', 'operational', [], []],
  ['OPS-012', 'LOW', 'confirmed', 'operational', 'operational', [], []],
  ['ARC-001', 'MEDIUM', 'confirmed', 'architecture', 'compounding', ['SERVICENOW-NOWASSIST-2025'], ['EU AI Act Art. 9']],
  ['ARC-002', 'MEDIUM', 'probable', 'architecture', 'compounding', ['MEMORY-POISONING'], ['EU AI Act Art. 15']],
  ['ARC-003', 'HIGH', 'probable', 'architecture', 'compounding', ['REPLIT-DB-DELETE-2025'], ['EU AI Act Art. 14']],
  ['ARC-004', 'MEDIUM', 'probable', 'architecture', 'compounding', ['AGENT-RUNAWAY-COST'], ['EU AI Act Art. 15']],
  ['ARC-005', 'LOW', 'confirmed', 'architecture', 'operational', [], []],
  ['ARC-006', 'MEDIUM', 'probable', 'architecture', 'compounding', ['AGENT-RUNAWAY-COST'], []],
  ['ARC-007', 'LOW', 'possible', 'architecture', 'operational', [], ['EU AI Act Art. 12']],
  ['ARC-008', 'LOW', 'possible', 'architecture', 'compounding', ['MEMORY-POISONING'], []],
];

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  help: { text: string };
  properties: {
    severity: string;
    confidence: string;
    tags: string[];
    incidents: string[];
    regulatory: string[];
  };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-catalogue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('rule catalogue in the SARIF log', () => {
  it('describes every rule with the severity, confidence, tags, incidents and clauses of the table', async () => {
    writeTree(tmp, { 'a.py': 'from crewai import Agent\n' });
    const sarif = toSarif(await scanDirectory(tmp), '0.0.0') as {
      runs: { tool: { driver: { rules: SarifRule[] } } }[];
    };
    const described = sarif.runs[0]?.tool.driver.rules ?? [];
    expect(described.map((r) => r.id)).toEqual(CATALOGUE.map(([id]) => id));
    for (const [id, severity, confidence, ruleClass, category, incidents, regulatory] of CATALOGUE) {
      const rule = described.find((r) => r.id === id);
      expect(rule?.properties, id).toEqual(
        expect.objectContaining({
          severity,
          confidence,
          tags: ruleClass === category ? [ruleClass] : [ruleClass, category],
          incidents,
          regulatory,
        }),
      );
      expect(rule?.shortDescription.text.length, id).toBeGreaterThan(5);
      expect(rule?.help.text.length, id).toBeGreaterThan(10);
    }
  });
});
