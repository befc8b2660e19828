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
  /** Set by the producer when the manifest row broke its schema: the job only writes a failed row. */
  row_problem?: string;
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
