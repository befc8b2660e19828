import { randomBytes } from 'node:crypto';
import { redact } from '../redact.js';
import { rowTimestamp } from '../timestamp.js';
import type { FailureCode } from './invariants.js';
import type { Ping } from './ping.generated.js';

export interface FailurePingInput {
  repoFullName: string;
  repoUrl: string;
  repoHash: string;
  selectionStratum: string;
  matchedStrata?: string[];
  status: 'failed' | 'empty';
  reason: FailureCode;
  /** Diagnostic text; scrubbed of credentials and cut to 500 characters. */
  detail?: string;
  durationMs?: number;
  scannerVersion: string;
  filesTotal?: number;
  /** Secret values to scrub from `detail` besides the credential patterns. */
  secrets?: readonly string[];
  now?: Date;
}

/**
 * The lighter ping shape for `failed`/`empty` (sections 1–2 plus zeroed summary fields):
 * what the pipeline writes when a repository produced no scan data, so that every manifest
 * row still ends as exactly one row.
 */
export function buildFailurePing(input: FailurePingInput): Ping {
  const detail = input.detail === undefined ? undefined : redact(input.detail, input.secrets).slice(0, 500);
  return {
    scan_id: randomBytes(8).toString('hex'),
    timestamp: rowTimestamp(input.now),
    scanner_version: input.scannerVersion,
    repo_hash: input.repoHash,
    schema_id: 5,
    schema_version: '0.3.2',
    repo_full_name: input.repoFullName,
    repo_url: input.repoUrl,
    selection_stratum: input.selectionStratum,
    ...(input.matchedStrata ? { matched_strata: input.matchedStrata } : {}),
    scan_status: input.status,
    scan_duration_ms: Math.max(0, Math.round(input.durationMs ?? 0)),
    files_scanned: 0,
    files_total: input.filesTotal ?? 0,
    parser_errors: 0,
    failure_reason: input.reason,
    ...(detail !== undefined ? { failure_detail: detail } : {}),
    risk_score: 0,
    finding_rule_count: 0,
    agent_count: 0,
    crew_count: 0,
    frameworks: [],
  };
}
