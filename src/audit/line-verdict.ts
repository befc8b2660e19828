import { formatIssues, type Ping, validatePing } from '../core/contract/index.js';
import { acceptanceProblems } from './acceptance.js';
import { deviationKeys } from './conformance.js';

/**
 * What the statistics need from one accepted row (small enough to cross a thread boundary
 * cheaply). Null means unknown: the field was absent or null in the row.
 */
export interface RowFacts {
  repo: string;
  status: Ping['scan_status'];
  scannerVersion: string | null;
  failureReason: string | null;
  stratum: string | null;
  /** repo_metadata.primary_framework, else the first framework, else 'none'. */
  primary: string;
  deploymentScore: number | null;
  frameworks: string[] | null;
  risk: number | null;
  /** The rules with instances: keys of finding_instance_counts (as the reference's audit counts them). */
  rules: string[];
  /** fix_impact_estimates of each of `rules` (null where absent). */
  impacts: Array<number | null>;
  /** fix_impact_estimates of rules not in `rules` (absent when there are none). */
  otherImpacts?: Array<[string, number]>;
  topologyHash: string | null;
  filesTotal: number | null;
  filesScanned: number | null;
}

/**
 * The verdict on one non-blank line; `at` is its index among the lines of its chunk (blank
 * ones included). `nc` marks an accepted row that breaks the full contract (what --strict
 * excludes).
 */
export type LineVerdict =
  | { at: number; kind: 'corrupt'; error: string }
  | { at: number; kind: 'invalid'; repo?: string; error: string; rules?: string[] }
  | { at: number; kind: 'row'; row: RowFacts; nc?: 1 };

type Obj = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The facts of a row that passed `acceptanceProblems` (so every field read has its type or is absent/null). */
export function rowFacts(p: Obj): RowFacts {
  const counts = isObj(p.finding_instance_counts) ? p.finding_instance_counts : undefined;
  const rules = counts ? Object.keys(counts) : [];
  const fie = isObj(p.fix_impact_estimates) ? p.fix_impact_estimates : undefined;
  const impacts = rules.map((r) => num(fie?.[r]));
  const otherImpacts: Array<[string, number]> = [];
  if (fie)
    for (const rule in fie) {
      const v = fie[rule];
      if (typeof v === 'number' && !(counts && rule in counts)) otherImpacts.push([rule, v]);
    }
  const frameworks = Array.isArray(p.frameworks) ? (p.frameworks as string[]) : null;
  const meta = isObj(p.repo_metadata) ? p.repo_metadata : undefined;
  const ds = isObj(p.deployment_signals) ? p.deployment_signals : undefined;
  return {
    repo: p.repo_full_name as string,
    status: p.scan_status as Ping['scan_status'],
    scannerVersion: str(p.scanner_version),
    failureReason: str(p.failure_reason),
    stratum: str(p.selection_stratum) || null,
    primary: str(meta?.primary_framework) || frameworks?.[0] || 'none',
    deploymentScore: num(ds?.deployment_score),
    frameworks,
    risk: num(p.risk_score),
    rules,
    impacts,
    ...(otherImpacts.length ? { otherImpacts } : {}),
    topologyHash: str(p.topology_signature_hash) || null,
    filesTotal: num(p.files_total),
    filesScanned: num(p.files_scanned),
  };
}

const firstThree = (messages: string[]) =>
  messages.slice(0, 3).join('; ') + (messages.length > 3 ? ` (+${messages.length - 3} more)` : '');

/**
 * Parses and judges one line (decoded text). Every parsed row's deviations from the full
 * contract go to `deviations` (the conformance section). A row is accepted when it passes the
 * reference's acceptance rules and the field types the audit reads; with `strict`, only when
 * it passes the full contract.
 */
export function judgeLine(
  raw: string,
  at: number,
  strict: boolean,
  deviations: (keys: string[], at: number) => void,
): LineVerdict {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { at, kind: 'corrupt', error: `${(err as Error).message} (${raw.length} chars)` };
  }
  const v = validatePing(value);
  if (!v.ok) deviations(deviationKeys(v.errors), at);
  if (!isObj(value)) return { at, kind: 'invalid', error: 'a ping must be a JSON object' };
  const repo = typeof value.repo_full_name === 'string' ? { repo: value.repo_full_name } : {};
  if (strict) {
    if (v.ok) return { at, kind: 'row', row: rowFacts(value) };
    return {
      at,
      kind: 'invalid',
      ...repo,
      error: firstThree(v.errors.map((e) => formatIssues([e]))),
      rules: ['contract (--strict)'],
    };
  }
  const problems = acceptanceProblems(value, v.ok);
  if (problems.length)
    return {
      at,
      kind: 'invalid',
      ...repo,
      error: firstThree(problems.map((p) => p.message)),
      rules: [...new Set(problems.map((p) => p.rule))],
    };
  return v.ok ? { at, kind: 'row', row: rowFacts(value) } : { at, kind: 'row', row: rowFacts(value), nc: 1 };
}
