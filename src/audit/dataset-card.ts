import { counted } from '../core/figures.js';
import { table } from './histogram.js';
import type { AuditReportData } from './report.js';

/** What the partial rows are, from their failure reasons (never a cause the data does not show). */
export function partialSentence(d: AuditReportData): string {
  const partial = d.stats.status.get('partial');
  if (partial === 0) return 'No row is `partial`.';
  const reasons = d.stats.failureReasons
    .sorted()
    .filter(([key]) => key.startsWith('partial:'))
    .map(([key, n]) => `${key.slice('partial:'.length)} ${n}`);
  return `${counted(partial, 'row is', 'rows are')} \`partial\` (scanned in part), by failure_reason: ${reasons.join(', ')}.`;
}

/** DATASET_CARD.md in the Hugging Face style: what, how collected, gates, biases, split. */
export function datasetCard(d: AuditReportData): string {
  const strataRows = d.strata.strata.map((s) => [s.name, s.target]);
  const vol = d.stats;
  const front = [
    '---',
    'license: other',
    'pretty_name: Stratum agent-repository scan dataset',
    'task_categories:',
    '  - tabular-classification',
    'tags:',
    '  - ai-agents',
    '  - static-analysis',
    '  - security',
    'configs:',
    '  - config_name: default',
    '    data_files:',
    ...(d.split
      ? [
          '      - split: train',
          '        path: scan_results_train.parquet',
          '      - split: test',
          '        path: scan_results_test.parquet',
        ]
      : ['      - split: train', '        path: scan_results.parquet']),
    '---',
  ];
  return [
    ...front,
    '',
    '# Stratum agent-repository scan dataset',
    '',
    '## What the data is',
    '',
    `One row per public GitHub repository that uses an AI-agent framework (LangChain, CrewAI, LangGraph, AutoGen, LlamaIndex, Agno, SmolAgents, …): ` +
      `the static-analysis *ping* of the repository (ping contract v0.3.2, schema_id 5 — architecture, agent/tool graph, findings, guardrails, ` +
      `deployment signals). A ping holds counts, ratios and identifiers only: no source code, file paths, secrets or environment values. ` +
      `${vol.rows} rows; ${vol.effective} with scan data (success + partial).`,
    '',
    '## How it was collected',
    '',
    `1. **Discovery**: GitHub repository search over the strata below (targets from ${d.strata.source}); forks filtered, deduplicated, frozen in the manifest.`,
    '',
    table(['stratum', 'target'], strataRows),
    '',
    `2. **Scan**: every manifest repository cloned and scanned once; scanner version(s): ${d.scannerVersions.join(', ') || 'n/a'}.`,
    `3. **Validation**: every row checked against the JSON Schema \`schema/ping.schema.json\` and the 11 cross-field invariants; invalid rows go to quarantine.`,
    `4. **Audit**: this card, \`dataset_audit_report.md\` and \`audit.json\` were produced by \`stratum-pipeline audit\` on ${d.generatedAt}.`,
    '',
    `- Input: \`${d.inputName}\` (${d.inputBytes} bytes, ${d.stats.lines} lines)`,
    `- Manifest: ${d.manifest ? `\`${d.manifestName}\` (sha256 \`${d.manifest.sha256}\`, ${d.manifest.rows} repositories)` : 'not available'}`,
    `- Schema: ping v0.3.2 (schema_id 5)`,
    '',
    '## Quality gates',
    '',
    table(
      ['gate', 'name', 'result', 'evidence'],
      d.gates.map((g) => [g.id, g.name, g.verdict, g.evidence]),
    ),
    '',
    '## Known biases and limits',
    '',
    '- Sampling follows GitHub search: popular, recently pushed and English-described repositories are over-represented; private and non-GitHub code is absent.',
    '- Stratum targets shape the framework mix; it is not the population mix (see the strata table above).',
    `- Copies of tutorials share a topology hash: ${d.duplicatesNote}`,
    '- Static analysis only: frameworks are counted when imported; dynamic behaviour, runtime configuration and notebooks without imports are missed.',
    `- Rows with status \`failed\`/\`empty\` carry no scan data. ${partialSentence(d)}`,
    '',
    '## Files and split',
    '',
    d.split
      ? `Stratified by primary framework × deployment score, 80/20, seed ${d.split.seed}, deterministic and frozen in \`split_assignment.jsonl\`. ` +
        `Train ${d.split.train} / test ${d.split.test} repositories. The split holds the rows with agent content only (status \`success\` or \`partial\`, the effective size); ` +
        `the ${d.split.notSplit} \`failed\`/\`empty\` rows are in \`scan_results.parquet\` and the audit counts but in neither split. Leakage guard: every topology-hash cluster and fork family lies in one split ` +
        `(${d.split.groupsSpanningSplits} groups span both). ${d.split.strata.filter((s) => s.flagged).length} strata have fewer than ` +
        `${d.split.minTestPerStratum} test repositories.`
      : 'No split was written (run `stratum-pipeline audit --split`).',
    '',
    '- `scan_results.parquet`: all accepted rows (every status); objects and lists are JSON text columns (listed in the Parquet key-value metadata `stratum.json_columns`).',
    ...(d.split
      ? [
          '- `scan_results_train.parquet` / `scan_results_test.parquet` and the JSONL equivalents: `success` and `partial` rows only, in the order of `scan_results.jsonl`.',
          '- Row order of `scan_results.parquet` with a split: each row group holds the rows of one side (train, test, or neither), in input order; the groups follow each other in the order they filled, so rows are grouped by side rather than in input order. `split_assignment.jsonl` gives each repository its side.',
        ]
      : []),
    '',
  ].join('\n');
}
