import { formatIssues, type Ping, validatePing } from '../core/contract/index.js';

/** What the statistics need from one contract-valid ping (small enough to cross a thread boundary cheaply). */
export interface RowFacts {
  repo: string;
  status: Ping['scan_status'];
  scannerVersion: string;
  failureReason: string | null;
  stratum: string;
  /** repo_metadata.primary_framework, else the first framework, else 'none'. */
  primary: string;
  deploymentScore: number | null;
  frameworks: string[];
  risk: number;
  rules: string[];
  /** fix_impact_estimates of each of `rules` (null where absent). */
  impacts: Array<number | null>;
  topologyHash: string | null;
  filesTotal: number;
  filesScanned: number;
}

/** The verdict on one non-blank line; `at` is its index among the lines of its chunk (blank ones included). */
export type LineVerdict =
  | { at: number; kind: 'corrupt'; error: string }
  | { at: number; kind: 'invalid'; repo?: string; error: string }
  | { at: number; kind: 'row'; row: RowFacts };

export function rowFacts(p: Ping): RowFacts {
  const rules = p.finding_rules ?? [];
  return {
    repo: p.repo_full_name,
    status: p.scan_status,
    scannerVersion: p.scanner_version,
    failureReason: p.failure_reason ?? null,
    stratum: p.selection_stratum,
    primary: p.repo_metadata?.primary_framework || p.frameworks?.[0] || 'none',
    deploymentScore: p.deployment_signals?.deployment_score ?? null,
    frameworks: p.frameworks ?? [],
    risk: p.risk_score ?? 0,
    rules,
    impacts: rules.map((r) => p.fix_impact_estimates?.[r] ?? null),
    topologyHash: p.topology_signature_hash || null,
    filesTotal: p.files_total,
    filesScanned: p.files_scanned,
  };
}

/** Parses and validates one line (decoded text) against the ping contract. */
export function judgeLine(raw: string, at: number): LineVerdict {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { at, kind: 'corrupt', error: `${(err as Error).message} (${raw.length} chars)` };
  }
  const v = validatePing(value);
  if (!v.ok) {
    const repo = (value as { repo_full_name?: unknown } | null)?.repo_full_name;
    return {
      at,
      kind: 'invalid',
      ...(typeof repo === 'string' ? { repo } : {}),
      error:
        formatIssues(v.errors.slice(0, 3)) + (v.errors.length > 3 ? ` (+${v.errors.length - 3} more)` : ''),
    };
  }
  return { at, kind: 'row', row: rowFacts(v.value) };
}
