import type { ContractIssue, Ping, QuarantineRecord } from '../../core/contract/index.js';
import { validatePing } from '../../core/contract/index.js';
import { repoHash } from '../../core/repo-hash.js';
import { rowTimestamp, toRowTimestamp } from '../../core/timestamp.js';
import type { ScanJobData } from '../job-data.js';

export type Judgement =
  | { kind: 'ping'; ping: Ping }
  | { kind: 'quarantine'; record: QuarantineRecord }
  | { kind: 'invalid_json'; detail: string };

export interface JudgeContext {
  jobId: string;
  attempt: number;
  now?: Date;
}

/**
 * Step 4: scanner stdout → a ping to keep, a quarantine record with every error, or
 * invalid_json. The manifest is authoritative for repo_url, selection_stratum and
 * matched_strata (the pipeline sets them, spec §1); repo_full_name is not repaired but checked
 * (invariant 11), so a scanner that scanned the wrong repository is quarantined, not hidden.
 */
export function judgeScannerOutput(stdout: string, data: ScanJobData, ctx: JudgeContext): Judgement {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (err) {
    const bytes = Buffer.byteLength(stdout);
    return {
      kind: 'invalid_json',
      detail: `scanner stdout (${bytes} bytes) is not JSON: ${(err as Error).message.slice(0, 160)}`,
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      kind: 'invalid_json',
      detail: `scanner stdout is JSON but not an object (${Array.isArray(parsed) ? 'array' : typeof parsed})`,
    };
  }
  const ping = parsed as Record<string, unknown>;
  // The pipeline sets the repository's identity (spec §1): one repo_hash for the manifest and
  // every row, one timestamp format in every row.
  ping.repo_hash = data.repo_hash || repoHash(data.repo_full_name);
  if (typeof ping.timestamp === 'string') ping.timestamp = toRowTimestamp(ping.timestamp) ?? ping.timestamp;
  ping.repo_url = data.repo_url;
  ping.selection_stratum = data.selection_stratum;
  if (data.matched_strata && data.matched_strata.length > 0) ping.matched_strata = data.matched_strata;
  const v = validatePing(ping, { repoFullName: data.repo_full_name });
  if (v.ok) return { kind: 'ping', ping: v.value };
  return { kind: 'quarantine', record: quarantineRecord(data, ping, v.errors, ctx) };
}

export function quarantineRecord(
  repo: Pick<ScanJobData, 'repo_full_name' | 'repo_hash'>,
  ping: unknown,
  errors: ContractIssue[],
  ctx: JudgeContext,
): QuarantineRecord {
  return {
    repo_full_name: repo.repo_full_name,
    repo_hash: repo.repo_hash || repoHash(repo.repo_full_name),
    ping,
    validation_errors: errors,
    quarantined_at: rowTimestamp(ctx.now),
    job_id: ctx.jobId,
    attempts: Math.max(1, ctx.attempt),
  };
}
