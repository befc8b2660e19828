import type { AuditThresholds } from './audit-config.js';
import type { AuditStats } from './collect.js';
import type { GateResult } from './gates.js';
import type { ManifestIndex } from './manifest-index.js';
import { SECTIONS, type SectionContext, type SectionOutput } from './sections/index.js';
import type { SplitSummary } from './split/assign.js';
import { splitMarkdown } from './split-report.js';
import type { StrataTargets } from './strata-targets.js';

/** Everything the report, audit.json and the dataset card are made of. */
export interface AuditReportData {
  generatedAt: string;
  inputName: string;
  inputBytes: number;
  manifestName?: string;
  stats: AuditStats;
  thresholds: AuditThresholds;
  thresholdsSource: string;
  strata: StrataTargets;
  manifest?: ManifestIndex;
  gates: GateResult[];
  split?: SplitSummary;
  scannerVersions: string[];
  duplicatesNote: string;
  /** Only contract-valid rows were audited (--strict). */
  strict: boolean;
}

export function sectionContext(d: AuditReportData): SectionContext {
  return {
    stats: d.stats,
    thresholds: d.thresholds,
    strata: d.strata,
    gates: d.gates,
    strict: d.strict,
    ...(d.manifest ? { manifest: d.manifest } : {}),
    ...(d.split ? { split: d.split } : {}),
  };
}

export function buildSections(
  d: AuditReportData,
): Array<{ id: string; title: string; output: SectionOutput }> {
  const ctx = sectionContext(d);
  return SECTIONS.map((s) => ({ id: s.id, title: s.title, output: s.build(ctx) }));
}

export function reportMarkdown(d: AuditReportData, sections: ReturnType<typeof buildSections>): string {
  const passed = d.gates.filter((g) => g.pass).length;
  const parts = [
    '# Dataset audit report',
    '',
    `Generated ${d.generatedAt} from \`${d.inputName}\` (${d.stats.lines} lines, ${d.stats.rows} accepted rows)` +
      `${d.manifest ? ` with manifest \`${d.manifestName}\` (sha256 ${d.manifest.sha256})` : ', no manifest'}. ` +
      `Gates: **${passed}/${d.gates.length} pass** (thresholds: ${d.thresholdsSource}).`,
  ];
  for (const s of sections) {
    parts.push('', `## ${s.title}`, '', s.output.markdown);
    if (s.id === 'strata' && d.split) parts.push('', '## Train/test split', '', splitMarkdown(d.split));
  }
  return `${parts.join('\n')}\n`;
}

/** audit.json: every number of the report, keyed by section id. */
export function auditJson(
  d: AuditReportData,
  sections: ReturnType<typeof buildSections>,
  files: Record<string, string>,
) {
  return {
    generated_at: d.generatedAt,
    input: d.inputName,
    input_bytes: d.stats.bytes,
    lines: d.stats.lines,
    rows: d.stats.rows,
    corrupt_lines: d.stats.corruptCount,
    invalid_rows: d.stats.invalidCount,
    accepted_not_conforming: d.stats.nonConforming,
    strict: d.strict,
    duplicate_rows: d.stats.duplicateCount,
    manifest: d.manifest ? { file: d.manifestName, sha256: d.manifest.sha256, rows: d.manifest.rows } : null,
    thresholds: d.thresholds,
    thresholds_source: d.thresholdsSource,
    strata_source: d.strata.source,
    scanner_versions: d.scannerVersions,
    gates: d.gates,
    sections: Object.fromEntries(sections.map((s) => [s.id, s.output.data])),
    split: d.split ?? null,
    files,
  };
}
