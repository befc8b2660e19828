import type { FailureCode, Ping, QuarantineRecord } from '../../core/contract/index.js';
import type { ScanJobData } from '../job-data.js';
import { type RowFile, readJournal } from './replacements.js';
import { readWrittenRows } from './written-rows.js';

/**
 * A job's identity is repository × commit × scanner version (issue #13 point 6): a row whose
 * identity equals what the manifest and the current scanner would produce is reused; one that
 * differs is stale and may be rescanned. This is what a written row says about its identity.
 */
export interface RowIdentity {
  file: RowFile;
  status: string;
  failureReason: string | null;
  /** The commit the row was asked to describe: the frozen one (also for moved_head rows), else the one scanned. */
  commit: string | null;
  scannerVersion: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function identityOfRow(file: RowFile, value: Ping | QuarantineRecord): RowIdentity {
  const holder = value as Record<string, unknown>;
  const ping = (
    file === 'quarantine' && typeof holder.ping === 'object' && holder.ping !== null ? holder.ping : holder
  ) as Record<string, unknown>;
  return {
    file,
    status: file === 'quarantine' ? 'quarantined' : String(ping.scan_status),
    failureReason: file === 'quarantine' ? null : str(ping.failure_reason),
    commit: str(holder.frozen_head_sha) ?? str(holder.commit_sha),
    scannerVersion: str(ping.scanner_version),
  };
}

export type IdentityChange = 'commit' | 'scanner_version';

/**
 * How a written row's identity differs from the job's, if it does. A manifest that froze no
 * commit (a reference manifest) leaves the commit part unchanged; an unknown scanner version
 * (an external scanner that cannot tell it) leaves that part unchanged.
 */
export function identityChange(
  row: RowIdentity,
  job: Pick<ScanJobData, 'head_sha'>,
  scannerVersion: string | undefined,
): IdentityChange | undefined {
  if (job.head_sha && row.commit !== job.head_sha) return 'commit';
  if (scannerVersion !== undefined && row.scannerVersion !== scannerVersion) return 'scanner_version';
  return undefined;
}

/** The failure reasons whose cause may pass: what `--retry-failed` retries by default. */
export const RETRYABLE_REASONS: readonly FailureCode[] = [
  'clone_timeout',
  'clone_rate_limited',
  'worker_exception',
  'parse_timeout',
];

/**
 * repo_full_name → the identity of its current row: the first row of the result files (the one
 * the writer keeps), overridden by the last unmerged replacement in the journal.
 */
export async function writtenIdentities(dataDir: string): Promise<Map<string, RowIdentity>> {
  const out = new Map<string, RowIdentity>();
  for await (const row of readWrittenRows(dataDir))
    if (!out.has(row.value.repo_full_name))
      out.set(row.value.repo_full_name, identityOfRow(row.file, row.value));
  for await (const r of readJournal(dataDir)) out.set(r.row.repo_full_name, identityOfRow(r.file, r.row));
  return out;
}
