import { createHash } from 'node:crypto';
import { RULES } from '../rules/registry.js';
import type { Confidence, Rule, Severity } from '../rules/rule.js';
import type { ScanReport } from '../scan.js';

/**
 * The scan as a SARIF 2.1.0 log (OASIS), the format GitHub code scanning and other viewers
 * load: one run, every rule of the scanner in `tool.driver.rules` with its metadata, one
 * result per finding instance (file and line). Paths are relative to the scanned directory
 * (`uriBaseId` SRCROOT), so the log names nothing of the machine it was made on.
 */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
};

/** GitHub's `security-severity` (0–10): it sorts alerts into critical/high/medium/low by it. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  CRITICAL: '9.5',
  HIGH: '8.0',
  MEDIUM: '5.5',
  LOW: '3.0',
};

/** `precision` as code-scanning viewers read it. */
const PRECISION: Record<Confidence, string> = {
  confirmed: 'very-high',
  probable: 'high',
  possible: 'medium',
};

/** `SEC-001` + title → `UntrustedInputReachesAnOutboundTool…`: SARIF's rule name is an identifier. */
function ruleName(rule: Rule): string {
  return rule.title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

function sarifRule(rule: Rule) {
  return {
    id: rule.id,
    name: ruleName(rule),
    shortDescription: { text: rule.title },
    fullDescription: { text: `${rule.title}. ${rule.remediation}` },
    help: { text: rule.remediation, markdown: `**Fix:** ${rule.remediation}` },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: [...new Set([rule.ruleClass, rule.category])],
      precision: PRECISION[rule.confidence],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      confidence: rule.confidence,
      incidents: [...rule.incidents],
      regulatory: [...rule.regulatory],
    },
  };
}

/** A repository-relative path as a URI reference: each segment percent-encoded. */
function relativeUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

function fingerprint(ruleId: string, file: string, line: number): string {
  return createHash('sha256').update(`${ruleId}\u0000${file}\u0000${line}`).digest('hex').slice(0, 32);
}

export function toSarif(report: ScanReport, version: string, rules: readonly Rule[] = RULES): object {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.findings.flatMap((finding) =>
    finding.instances.map((site) => {
      const index = ruleIndex.get(finding.rule.id);
      return {
        ruleId: finding.rule.id,
        ...(index === undefined ? {} : { ruleIndex: index }),
        level: LEVEL[finding.rule.severity],
        message: { text: `${finding.rule.title}. Fix: ${finding.rule.remediation}` },
        ...(site.file === ''
          ? {}
          : {
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: relativeUri(site.file), uriBaseId: 'SRCROOT' },
                    region: { startLine: Math.max(1, site.line) },
                  },
                },
              ],
            }),
        partialFingerprints: { 'stratumFinding/v1': fingerprint(finding.rule.id, site.file, site.line) },
      };
    }),
  );
  const ping = report.ping;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stratum-scan',
            version,
            semanticVersion: version,
            rules: rules.map(sarifRule),
          },
        },
        invocations: [{ executionSuccessful: true }],
        results,
        properties: {
          repo_full_name: ping.repo_full_name,
          scan_status: ping.scan_status,
          failure_reason: ping.failure_reason ?? null,
          risk_score: ping.risk_score ?? 0,
        },
      },
    ],
  };
}
