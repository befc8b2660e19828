import type { ContractIssue, Ping, QuarantineRecord } from '../../core/contract/index.js';
import { validatePing } from '../../core/contract/index.js';
import type { CommitFacts, ScanJobData } from '../job-data.js';

export type Judgement =
  | { kind: 'ping'; ping: Ping }
  | { kind: 'quarantine'; record: QuarantineRecord }
  | { kind: 'invalid_json'; detail: string };

export interface JudgeContext {
  jobId: string;
  attempt: number;
  now?: Date;
  /** The commit the output describes (written into the ping or the quarantine record). */
  commit?: CommitFacts;
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
  ping.repo_url = data.repo_url;
  ping.selection_stratum = data.selection_stratum;
  if (data.matched_strata && data.matched_strata.length > 0) ping.matched_strata = data.matched_strata;
  if (ctx.commit) Object.assign(ping, ctx.commit);
  const v = validatePing(ping, { repoFullName: data.repo_full_name });
  if (v.ok) return { kind: 'ping', ping: v.value };
  return { kind: 'quarantine', record: quarantineRecord(data.repo_full_name, ping, v.errors, ctx) };
}

export function quarantineRecord(
  repoFullName: string,
  ping: unknown,
  errors: ContractIssue[],
  ctx: JudgeContext,
): QuarantineRecord {
  return {
    repo_full_name: repoFullName,
    ping,
    validation_errors: errors,
    quarantined_at: (ctx.now ?? new Date()).toISOString(),
    job_id: ctx.jobId,
    attempts: Math.max(1, ctx.attempt),
    ...(ctx.commit ?? {}),
  };
}
