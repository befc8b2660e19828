import type { Ping } from '../core/contract/index.js';
import { createRandom } from './random.js';

/**
 * Rows in the shape the reference Python pipeline (stratum-cli `pipeline/`) writes, derived
 * from one of our synthetic pings so that the distributions (frameworks, rules, clusters,
 * deployment scores) stay realistic. Written from the field lists of its README and
 * `validation.py` / `generate_test_data.py`, not from its code:
 *
 * - success/partial: the lighter field set its synthetic data and audit use (identity,
 *   counts, frameworks and versions, severities, instance counts, fix impacts, deployment
 *   signals, topology hash, graph sizes), scanner_version "0.3.1"; a few rows without
 *   deployment_signals or with a null deployment_score (unknown to the audit, not 0), and
 *   deployment signals under other names (the reference counts every true signal);
 * - failed: its `failure_ping()` as its scan runner writes it (repo_hash = the name, risk 0,
 *   `failure_detail`, repo_url null when the manifest has none), or as its synthetic data has
 *   it (risk_score null, repo_hash null);
 * - empty: no failure_reason.
 *
 * Every row passes the reference's acceptance rules (it would write each one), so its
 * audit.py and ours must agree on every count.
 */

const LIGHT_FIELDS = [
  'scan_id',
  'timestamp',
  'scanner_version',
  'schema_id',
  'schema_version',
  'scan_status',
  'scan_duration_ms',
  'risk_score',
  'repo_full_name',
  'repo_hash',
  'selection_stratum',
  'files_scanned',
  'files_total',
  'parser_errors',
  'agent_count',
  'crew_count',
  'crew_size_distribution',
  'agent_tool_count_distribution',
  'frameworks',
  'framework_versions',
  'finding_rule_count',
  'finding_severities',
  'finding_instance_counts',
  'total_finding_instances',
  'fix_impact_estimates',
  'deployment_signals',
  'topology_signature_hash',
  'graph_node_count',
  'graph_edge_count',
  'inter_crew_edges',
] as const;

export const REFERENCE_SCANNER_VERSION = '0.3.1';

/** Reference-style deployment signal names (its synthetic data's), replacing ours in some rows. */
const OTHER_SIGNAL_NAMES = ['has_dockerfile', 'has_ci', 'has_tests', 'has_requirements', 'has_readme'];

export type ReferenceRow = Record<string, unknown>;

function lightRow(p: Ping, seed: number, index: number): ReferenceRow {
  const rng = createRandom(seed, 'reference-shape', index);
  const src = p as unknown as Record<string, unknown>;
  const row: ReferenceRow = {};
  for (const f of LIGHT_FIELDS) if (src[f] !== undefined) row[f] = src[f];
  row.scanner_version = REFERENCE_SCANNER_VERSION;
  const ds = p.deployment_signals;
  const roll = rng.next();
  if (roll < 0.03) delete row.deployment_signals;
  else if (roll < 0.04 && ds) row.deployment_signals = { ...ds, deployment_score: null };
  else if (roll < 0.2 && ds) {
    // The same number of true signals under the reference's synthetic names.
    const trues = ds.deployment_score;
    const renamed: Record<string, unknown> = {};
    OTHER_SIGNAL_NAMES.forEach((name, i) => {
      renamed[name] = i < trues;
    });
    renamed.deployment_score = trues;
    row.deployment_signals = renamed;
  }
  return row;
}

function failedRow(p: Ping, seed: number, index: number): ReferenceRow {
  const rng = createRandom(seed, 'reference-shape', index);
  if (rng.chance(0.5))
    // As the reference's synthetic data writes a failed row.
    return {
      scan_id: p.scan_id,
      timestamp: p.timestamp,
      scanner_version: REFERENCE_SCANNER_VERSION,
      schema_id: 5,
      schema_version: '0.3.2',
      scan_status: 'failed',
      scan_duration_ms: 0,
      risk_score: null,
      repo_full_name: p.repo_full_name,
      repo_hash: null,
      selection_stratum: p.selection_stratum,
      files_scanned: 0,
      files_total: 0,
      parser_errors: 0,
      agent_count: 0,
      crew_count: 0,
      finding_rule_count: 0,
      frameworks: [],
      failure_reason: p.failure_reason,
      failure_detail: 'synthetic test failure',
    };
  // As its scan runner writes failure_ping(): repo_hash falls back to the name, risk 0.
  return {
    scan_id: p.scan_id.slice(0, 8),
    timestamp: p.timestamp,
    scanner_version: REFERENCE_SCANNER_VERSION,
    repo_hash: p.repo_full_name,
    scan_status: 'failed',
    scan_duration_ms: 0,
    files_scanned: 0,
    files_total: 0,
    parser_errors: 0,
    schema_id: 5,
    schema_version: '0.3.2',
    failure_reason: p.failure_reason,
    failure_detail: rng.chance(0.5) ? `fatal: ${p.failure_reason}` : null,
    risk_score: 0,
    finding_rule_count: 0,
    agent_count: 0,
    crew_count: 0,
    frameworks: [],
    selection_stratum: p.selection_stratum,
    repo_full_name: p.repo_full_name,
    repo_url: rng.chance(0.5) ? p.repo_url : null,
  };
}

function emptyRow(p: Ping): ReferenceRow {
  return {
    scan_id: p.scan_id,
    timestamp: p.timestamp,
    scanner_version: REFERENCE_SCANNER_VERSION,
    schema_id: 5,
    schema_version: '0.3.2',
    scan_status: 'empty',
    scan_duration_ms: p.scan_duration_ms,
    risk_score: 0,
    repo_full_name: p.repo_full_name,
    repo_hash: p.repo_hash,
    selection_stratum: p.selection_stratum,
    files_scanned: p.files_scanned,
    files_total: p.files_total,
    parser_errors: 0,
    agent_count: 0,
    crew_count: 0,
    finding_rule_count: 0,
    frameworks: [],
  };
}

/** Ping `index` of a synthetic file as the reference pipeline would have written it. */
export function toReferenceShape(p: Ping, seed: number, index: number): ReferenceRow {
  if (p.scan_status === 'failed') return failedRow(p, seed, index);
  if (p.scan_status === 'empty') return emptyRow(p);
  return lightRow(p, seed, index);
}
