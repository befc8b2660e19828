import type { FailureCode } from '../core/contract/index.js';
import { redact } from '../core/redact.js';
import type { Cloner } from './clone/cloner.js';
import { type HostLookup, pinPublicHost } from './clone/resolve-host.js';
import type { Workspace } from './clone/workspace.js';
import { failureRow } from './failure-row.js';
import type { JobTiming, ScanJobData, ScanJobResult } from './job-data.js';
import { judgeRow } from './row-check.js';
import type { ScannerRunner } from './scan/scanner-runner.js';
import { judgeScannerOutput } from './validate/judge-output.js';

/** A failure worth another attempt: thrown so BullMQ retries the job with backoff. */
export class TransientScanError extends Error {
  override name = 'TransientScanError';
  constructor(
    readonly code: FailureCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface JobDeps {
  cloner: Cloner;
  scanner: ScannerRunner;
  workspace: Pick<Workspace, 'allocate' | 'release'>;
  allowLocalUrls: boolean;
  maxRepoSizeKb: number;
  scannerVersionForFailures: string;
  secrets: readonly string[];
  /** Called when a transient failure will be retried (run metadata: retries, rate-limit hits). */
  onRetry?: (code: FailureCode) => Promise<void> | void;
  /** Resolves repository host names (default: the system resolver). */
  lookup?: HostLookup;
  /** Called on every rate-limited clone, retried or not. */
  onRateLimited?: () => Promise<void> | void;
}

export interface JobContext {
  jobId: string;
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
}

/**
 * One job, end to end: check the row → clone → scan → validate → the row to write.
 * Every expected outcome is returned as a row (a failed ping carries its failure code); only
 * a transient failure with attempts left is thrown, for BullMQ to retry with backoff.
 * The clone directory is removed whatever happens.
 */
export async function processScanJob(
  data: ScanJobData,
  ctx: JobContext,
  deps: JobDeps,
): Promise<ScanJobResult> {
  const started = performance.now();
  const timing: JobTiming = { clone_ms: 0, scan_ms: 0, job_ms: 0 };
  const finish = (result: ScanJobResult): ScanJobResult => {
    timing.job_ms = Math.round(performance.now() - started);
    return result;
  };
  const failed = (reason: FailureCode, detail: string, durationMs = 0) =>
    finish(
      failureRow({
        data,
        jobId: ctx.jobId,
        attempt: ctx.attempt,
        reason,
        detail,
        durationMs,
        scannerVersion: deps.scannerVersionForFailures,
        secrets: deps.secrets,
        timing,
      }),
    );

  const row = judgeRow(data, deps.allowLocalUrls);
  if (!row.ok) return failed('clone_error', `manifest row rejected: ${row.problem}`);
  if (data.github_size_kb > deps.maxRepoSizeKb)
    return failed(
      'too_large',
      `github_size_kb ${data.github_size_kb} exceeds the limit of ${deps.maxRepoSizeKb} KB`,
    );

  const dir = await deps.workspace.allocate(ctx.jobId);
  try {
    const pinned = await pinPublicHost(row.judged, deps.allowLocalUrls, deps.lookup);
    // git gets the URL rebuilt from what was judged, never the manifest's string, and only
    // the judged addresses of its host.
    const clone = pinned.ok
      ? await deps.cloner.clone({
          url: row.judged.url,
          dir,
          maxBytes: deps.maxRepoSizeKb * 1024,
          gitConfig: pinned.gitConfig,
        })
      : { ...pinned, durationMs: 0 };
    timing.clone_ms = clone.durationMs;
    if (!clone.ok) {
      if (clone.code === 'clone_rate_limited') await deps.onRateLimited?.();
      if (clone.transient && ctx.attempt < ctx.maxAttempts) {
        await deps.onRetry?.(clone.code as FailureCode);
        throw new TransientScanError(clone.code as FailureCode, redact(clone.detail, deps.secrets));
      }
      const suffix = clone.transient ? ` (after ${ctx.attempt} attempt${ctx.attempt > 1 ? 's' : ''})` : '';
      return failed(clone.code as FailureCode, clone.detail + suffix, clone.durationMs);
    }
    const scan = await deps.scanner.scan({
      dir: `${dir}/repo`,
      repoFullName: data.repo_full_name,
      repoUrl: data.repo_url,
    });
    timing.scan_ms = scan.durationMs;
    if (!scan.ok) return failed(scan.code, scan.detail, scan.durationMs);
    const judged = judgeScannerOutput(scan.stdout, data, { jobId: ctx.jobId, attempt: ctx.attempt });
    if (judged.kind === 'invalid_json') return failed('invalid_json', judged.detail, scan.durationMs);
    if (judged.kind === 'ping') return finish({ kind: 'ping', ping: judged.ping, timing });
    return finish({ kind: 'quarantine', record: judged.record, timing });
  } finally {
    await deps.workspace.release(dir);
  }
}
