import { createHash } from 'node:crypto';
import type { Ping, QuarantineRecord } from '../core/contract/index.js';
import { repoFullNameProblem } from '../core/contract/index.js';

/**
 * What a scan job carries in Redis: the few manifest fields the worker needs, nothing secret
 * (job data is stored in clear text). Everything else of the manifest row stays on disk.
 */
export interface ScanJobData {
  repo_full_name: string;
  repo_url: string;
  repo_hash: string;
  selection_stratum: string;
  matched_strata?: string[];
  github_size_kb: number;
  /** The manifest's frozen commit (40 hex): the worker scans exactly this commit. */
  head_sha?: string;
  /** The scanner version the producer expects (identity; written into failure rows). */
  scanner_version?: string;
  /** A row for this repository is on disk and this job's row replaces it (rescan, retry). */
  replace?: boolean;
  /** The failed row of a job the worker failed on purpose (a cause that may pass), for the writer. */
  failed_row?: Ping;
  /** Set by the producer when the manifest row broke its schema: the job only writes a failed row. */
  row_problem?: string;
}

/** Where a row's commit came from (the ping's `commit_source`; docs/reproducibility.md). */
export type CommitSource = 'head_sha' | 'default_branch' | 'moved_head';

/** The commit a row describes, as written into pings and quarantine records. */
export interface CommitFacts {
  commit_sha: string | null;
  commit_source: CommitSource;
  /** With moved_head: the frozen commit the remote no longer had. */
  frozen_head_sha?: string;
}

/** A full commit id as git prints it (the only form handed to `git fetch` or written in a row). */
export function isCommitId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);
}

/** Before any clone: the commit a job is to scan, as far as its manifest row says. */
export function plannedCommit(data: ScanJobData): CommitFacts {
  return isCommitId(data.head_sha)
    ? { commit_sha: data.head_sha, commit_source: 'head_sha' }
    : { commit_sha: null, commit_source: 'default_branch' };
}

/** Time spent in each stage of one job (ms); not part of the ping. */
export interface JobTiming {
  clone_ms: number;
  scan_ms: number;
  job_ms: number;
}

/** The return value of a completed job: exactly the row the writer will append. */
export type ScanJobResult =
  | { kind: 'ping'; ping: Ping; timing: JobTiming }
  | { kind: 'quarantine'; record: QuarantineRecord; timing: JobTiming };

/**
 * The job id of a repository. BullMQ ids must not contain ':' and must not be all digits;
 * GitHub owners never contain '_', so `repo__owner__name` is unambiguous. A name outside the
 * GitHub grammar (a hostile or broken row) gets a hash id, so nothing it holds reaches a key.
 */
export function jobIdFor(repoFullName: string): string {
  if (repoFullNameProblem(repoFullName) === undefined) {
    const [owner, name] = repoFullName.split('/') as [string, string];
    return `repo__${owner}__${name}`;
  }
  return `row__${createHash('sha256').update(repoFullName).digest('hex').slice(0, 24)}`;
}
