import { writeJsonAtomic } from '../../core/atomic-write.js';
import { dataFile } from '../../core/paths.js';
import type { RunCounters } from '../../core/run-counters.js';
import { rowTimestamp } from '../../core/timestamp.js';
import type { BackfillReport } from '../../producer/backfill/backfill-report.js';
import type { QueueSize } from '../queue.js';
import { WARM_COUNT_FIELDS } from '../scan/warm-counts.js';

/** pipeline_run_log.json: the audit trail of one scan run (rewritten atomically). */
export interface RunLog {
  run_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  updated_at: string;
  manifest_count: number;
  enqueued: number;
  enqueue_finished: boolean;
  /** Manifest lines not scanned as given: skipped (no row possible), duplicate, rejected (written as failed rows). */
  manifest_lines: ManifestLineProblems;
  /** The manifest the run was given (the drain audit reads it) and what its records left to the compatibility rules. */
  manifest: { path: string | null; sha256: string | null; fields_filled: Record<string, number> };
  work_queue: QueueSize;
  results_written: number;
  /**
   * Rows by identity (repository × commit × scanner version), as the last enqueue found them:
   * reused (unchanged, kept), new (queued, no row yet), rescan_queued (identity changed,
   * --rescan-changed), retry_queued (--retry-failed), stale (changed, not rescanned); and
   * replaced: rows swapped for their rescan or retry so far (docs/reproducibility.md).
   */
  rows: {
    reused: number;
    new: number;
    rescan_queued: number;
    retry_queued: number;
    stale: number;
    replaced: number;
  };
  status_counts: { success: number; partial: number; failed: number; empty: number };
  quarantined: number;
  failure_reasons: Record<string, number>;
  rate_limit_hits: number;
  retries: number;
  avg_scan_duration_ms: number | null;
  framework_distribution: Record<string, number>;
  last_error: RunCounters['lastError'];
  /**
   * The warm built-in scanner of every worker (docs/scanner.md): repositories a warm process
   * answered, processes started, recycled after their repository count or above the memory
   * bound, processes that crashed, hung or garbled an answer, and repositories retried in a
   * fresh process. All 0 with an external scanner.
   */
  warm_scanner: {
    scans_served: number;
    processes_started: number;
    recycled_by_count: number;
    recycled_by_memory: number;
    processes_failed: number;
    retried_fresh: number;
  };
  /** Per-stratum effective rows against their goal, reserve used and every back-fill decision. */
  backfill?: BackfillReport;
}

export interface ManifestLineProblems {
  skipped: number;
  duplicate: number;
  rejected: number;
  /** The first problems by line number (at most 200): line, kind and reason. */
  listed: Array<{ line: number; kind: string; reason: string }>;
}

function manifestLineProblems(meta: Record<string, string>): ManifestLineProblems {
  let listed: ManifestLineProblems['listed'] = [];
  try {
    const parsed = JSON.parse(meta.manifest_line_problems ?? '[]') as unknown;
    if (Array.isArray(parsed)) listed = parsed as ManifestLineProblems['listed'];
  } catch {
    // A value this project did not write: the counts below still hold.
  }
  const count = (k: string) => Number(meta[k] ?? 0) || 0;
  return {
    skipped: count('manifest_lines_skipped'),
    duplicate: count('manifest_lines_duplicate'),
    rejected: count('manifest_lines_rejected'),
    listed,
  };
}

function fieldsFilled(raw: string | undefined): Record<string, number> {
  try {
    const parsed = JSON.parse(raw ?? '{}') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return Object.fromEntries(
        Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'),
      );
  } catch {
    // A value this project did not write.
  }
  return {};
}

export function buildRunLog(
  c: RunCounters,
  queue: QueueSize,
  endedAt: Date | null,
  now = new Date(),
): RunLog {
  const num = (k: string) => Number(c.meta[k] ?? 0) || 0;
  return {
    run_id: c.meta.run_id ?? null,
    started_at: c.meta.started_at ?? null,
    ended_at: endedAt ? rowTimestamp(endedAt) : null,
    updated_at: rowTimestamp(now),
    manifest_count: num('manifest_count'),
    enqueued: num('enqueued'),
    enqueue_finished: c.meta.enqueue_finished === '1',
    manifest_lines: manifestLineProblems(c.meta),
    manifest: {
      path: c.meta.manifest_path ?? null,
      sha256: c.meta.manifest_sha256 ?? null,
      fields_filled: fieldsFilled(c.meta.manifest_fields_filled),
    },
    work_queue: queue,
    results_written: c.results,
    rows: {
      reused: num('rows_reused'),
      new: num('rows_new_queued'),
      rescan_queued: num('rows_rescan_queued'),
      retry_queued: num('rows_retry_queued'),
      stale: num('rows_stale'),
      replaced: c.replaced,
    },
    status_counts: {
      success: c.byStatus.success,
      partial: c.byStatus.partial,
      failed: c.byStatus.failed,
      empty: c.byStatus.empty,
    },
    quarantined: c.byStatus.quarantined,
    failure_reasons: c.byFailure,
    rate_limit_hits: num('rate_limit_hits'),
    retries: num('retries'),
    avg_scan_duration_ms: c.results > 0 ? Math.round(c.durationSumMs / c.results) : null,
    framework_distribution: c.byFramework,
    last_error: c.lastError,
    warm_scanner: {
      scans_served: num(WARM_COUNT_FIELDS.served),
      processes_started: num(WARM_COUNT_FIELDS.started),
      recycled_by_count: num(WARM_COUNT_FIELDS.recycledByCount),
      recycled_by_memory: num(WARM_COUNT_FIELDS.recycledByMemory),
      processes_failed: num(WARM_COUNT_FIELDS.failed),
      retried_fresh: num(WARM_COUNT_FIELDS.retried),
    },
  };
}

export async function writeRunLog(dataDir: string, log: RunLog): Promise<void> {
  await writeJsonAtomic(dataFile(dataDir, 'runLog'), log);
}
