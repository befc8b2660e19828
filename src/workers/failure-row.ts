import { buildFailurePing, type FailureCode, validatePing } from '../core/contract/index.js';
import { repoHash } from '../core/repo-hash.js';
import type { JobTiming, ScanJobData, ScanJobResult } from './job-data.js';
import { quarantineRecord } from './validate/judge-output.js';

export interface FailureRowInput {
  data: ScanJobData;
  jobId: string;
  attempt: number;
  reason: FailureCode;
  detail: string;
  durationMs: number;
  scannerVersion: string;
  secrets: readonly string[];
  timing: JobTiming;
}

/**
 * The row of a repository that produced no scan data: a `failed` ping with its failure code
 * and a scrubbed detail. A hostile row can make even this ping break the schema (a
 * two-character name); it is then quarantined with the errors instead.
 */
export function failureRow(input: FailureRowInput): ScanJobResult {
  const d = input.data;
  const ping = buildFailurePing({
    repoFullName: d.repo_full_name,
    repoUrl: typeof d.repo_url === 'string' ? d.repo_url : '',
    repoHash: d.repo_hash || repoHash(d.repo_full_name),
    selectionStratum: typeof d.selection_stratum === 'string' ? d.selection_stratum : '',
    ...(d.matched_strata?.length ? { matchedStrata: d.matched_strata } : {}),
    status: 'failed',
    reason: input.reason,
    detail: input.detail,
    durationMs: input.durationMs,
    scannerVersion: input.scannerVersion,
    secrets: input.secrets,
  });
  const v = validatePing(ping, { repoFullName: d.repo_full_name });
  if (v.ok) return { kind: 'ping', ping: v.value, timing: input.timing };
  return {
    kind: 'quarantine',
    record: quarantineRecord({ ...d, repo_hash: ping.repo_hash }, ping, v.errors, {
      jobId: input.jobId,
      attempt: input.attempt,
    }),
    timing: input.timing,
  };
}
