import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../../core/config.js';
import type { ManifestFill } from '../../core/contract/index.js';
import { sha256File } from '../../core/file-hash.js';
import type { Logger } from '../../core/logger.js';
import { redact } from '../../core/redact.js';
import { resetCounters, runKeys } from '../../core/run-counters.js';
import { escapeLine } from '../../core/terminal-text.js';
import { rowTimestamp } from '../../core/timestamp.js';
import { jobIdFor } from '../../workers/job-data.js';
import { jobKey, type ScanQueue, scanJobOptions } from '../../workers/queue.js';
import { rowProblem } from '../../workers/row-check.js';
import { writtenRepoNames } from '../../workers/writer/written-rows.js';
import { type ManifestJob, readManifestJobs, type SkippedRow } from './manifest-jobs.js';

export interface EnqueueOptions {
  manifestPath: string;
  dataDir: string;
  limit?: number;
  resume: boolean;
  /** Jobs per addBulk call (one Redis round trip each). */
  chunkSize?: number;
  /** The checks already made (by `scan`, before it touched Redis); made here when absent. */
  preflight?: EnqueuePreflight;
}

/** What the checks before any write found: the run may start. */
export interface EnqueuePreflight {
  /** Absolute path of the manifest, recorded in the run's metadata (the drain audit reads it). */
  manifestPath: string;
  manifestSha256: string;
  /** Repository names already in the result files. */
  written: Set<string>;
}

/** How many records the compatibility rules filled in (docs/compatibility.md). */
export interface ManifestFillCounts {
  repo_hash_derived: number;
  head_sha_unknown: number;
  is_archived_unknown: number;
  language_bytes_unknown: number;
}

export interface EnqueueSummary {
  runId: string;
  /** Manifest rows this run covers (after --limit). */
  manifestCount: number;
  added: number;
  alreadyQueued: number;
  /** Already a row in the result files or counted in Redis. */
  alreadyDone: number;
  duplicateInManifest: number;
  /** Lines not queued: not JSON, no repo_full_name (no row can be written for them). */
  skipped: SkippedRow[];
  /** Lines that repeat an earlier line's repository (not queued; that line's row stands for both). */
  duplicates: SkippedRow[];
  /** Lines queued only to be written as a `failed` row: schema errors, hostile names or URLs. */
  rejected: SkippedRow[];
  filled: ManifestFillCounts;
}

export class EnqueueRefused extends Error {
  override name = 'EnqueueRefused';
}

/**
 * The producer: one job per manifest repository, id derived from repo_full_name, so that
 * enqueuing twice never queues a repository twice. Without --resume it refuses to start over
 * result files that already hold rows (that would duplicate them); with --resume it skips
 * every repository already written, even when Redis was wiped.
 */
export async function enqueueManifest(
  config: Config,
  redis: Redis,
  queue: ScanQueue,
  options: EnqueueOptions,
  logger: Logger,
): Promise<EnqueueSummary> {
  const keys = runKeys(config.queuePrefix);
  const preflight = options.preflight ?? (await preflightEnqueue(config, options));
  const fileNames = preflight.written;
  if (!options.resume) {
    // No rows on disk: counters left in Redis belong to an earlier run whose files are gone.
    if ((await redis.scard(keys.done)) > 0 && (await redis.hget(keys.meta, 'enqueue_finished')) === '1') {
      logger.warn('resetting the counters of an earlier run (its result files are gone)');
      await resetCounters(redis, config.queuePrefix);
    }
  }
  const runId = `run-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  await redis.hsetnx(keys.meta, 'run_id', runId);
  await redis.hsetnx(keys.meta, 'started_at', rowTimestamp());
  await redis.hset(keys.meta, 'enqueue_finished', '0');
  await redis.hsetnx(keys.meta, 'rate_limit_hits', '0');
  await redis.hsetnx(keys.meta, 'retries', '0');
  await redis.hsetnx(keys.meta, 'enqueued', '0');
  const previousManifest = await redis.hget(keys.meta, 'manifest_path');
  if (previousManifest && previousManifest !== preflight.manifestPath)
    logger.warn(
      { previous: previousManifest, manifest: preflight.manifestPath },
      'this run continues with another manifest; the drain audit reads the new one',
    );
  await redis.hset(keys.meta, {
    manifest_path: preflight.manifestPath,
    manifest_sha256: preflight.manifestSha256,
  });

  const summary: EnqueueSummary = {
    runId: (await redis.hget(keys.meta, 'run_id')) ?? runId,
    manifestCount: 0,
    added: 0,
    alreadyQueued: 0,
    alreadyDone: 0,
    duplicateInManifest: 0,
    skipped: [],
    duplicates: [],
    rejected: [],
    filled: { repo_hash_derived: 0, head_sha_unknown: 0, is_archived_unknown: 0, language_bytes_unknown: 0 },
  };
  /** repo_full_name → the manifest line it was first seen on. */
  const seen = new Map<string, number>();
  const chunkSize = options.chunkSize ?? 500;
  const jobOpts = scanJobOptions(config);
  let chunk: ManifestJob[] = [];

  const flush = async () => {
    if (chunk.length === 0) return;
    const names = chunk.map((j) => j.data.repo_full_name);
    const ids = names.map(jobIdFor);
    const [doneFlags, exists] = await Promise.all([
      redis.smismember(keys.done, ...names),
      Promise.all(ids.map((id) => redis.exists(jobKey(config, id)))),
    ]);
    const fresh = chunk.filter((_, i) => {
      if (doneFlags[i] === 1) {
        summary.alreadyDone++;
        return false;
      }
      if (exists[i] === 1) {
        summary.alreadyQueued++;
        return false;
      }
      return true;
    });
    if (fresh.length > 0) {
      await queue.addBulk(
        fresh.map((j) => ({
          name: 'scan',
          data: j.data,
          opts: { ...jobOpts, jobId: jobIdFor(j.data.repo_full_name) },
        })),
      );
      summary.added += fresh.length;
      await redis.hincrby(keys.meta, 'enqueued', fresh.length);
    }
    chunk = [];
  };

  for await (const item of readManifestJobs(options.manifestPath)) {
    if (options.limit !== undefined && summary.manifestCount + summary.skipped.length >= options.limit) break;
    if (!item.ok) {
      summary.skipped.push(item.skipped);
      logger.warn({ line: item.skipped.line, reason: item.skipped.reason }, 'manifest line skipped');
      continue;
    }
    const { data, line } = item.job;
    const name = data.repo_full_name;
    const firstLine = seen.get(name);
    if (firstLine !== undefined) {
      summary.duplicateInManifest++;
      const reason = `duplicate of line ${firstLine} (same repo_full_name); not queued again`;
      summary.duplicates.push({ line, reason });
      logger.warn({ line, reason }, 'manifest line skipped');
      continue;
    }
    seen.set(name, line);
    summary.manifestCount++;
    countFill(summary.filled, item.job.fill);
    // Checked here too, so that the message and the failed row name the manifest line.
    const problem = data.row_problem ?? rowProblem(data, config.allowLocalUrls);
    if (problem) {
      data.row_problem = problem.startsWith('manifest line ') ? problem : `manifest line ${line}: ${problem}`;
      const reason = `${data.row_problem.replace(/^manifest line \d+: /, '')} (written as a failed row, not cloned)`;
      summary.rejected.push({ line, reason });
      logger.warn({ line, reason }, 'manifest line rejected');
    }
    if (fileNames.has(name)) {
      summary.alreadyDone++;
      continue;
    }
    chunk.push(item.job);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  await redis.hset(keys.meta, {
    ...manifestProblemsMeta(summary),
    manifest_fields_filled: JSON.stringify(summary.filled),
    manifest_count: String(summary.manifestCount),
    enqueue_finished: '1',
    enqueue_finished_at: rowTimestamp(),
  });
  return summary;
}

/** `repo_hash derived 52, head_sha unknown 52, …`, or '' when the manifest needed no rule. */
export function formatFillCounts(filled: ManifestFillCounts): string {
  return Object.entries(filled)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${key.replace(/_(derived|unknown)$/, ' $1')} ${n}`)
    .join(', ');
}

function countFill(counts: ManifestFillCounts, fill: ManifestFill | undefined): void {
  if (!fill) return;
  if (fill.repoHashDerived) counts.repo_hash_derived++;
  for (const field of fill.unknown) counts[`${field}_unknown`]++;
}

/**
 * Everything that may refuse a run, checked before anything is written anywhere (Redis, the
 * data directory): result rows already on disk without --resume, and a manifest with no
 * repository to scan (empty, or every line skipped, a duplicate or rejected). Reads the
 * manifest up to its first scannable line (all of it only when it is to be refused).
 */
export async function preflightEnqueue(
  config: Config,
  options: Pick<EnqueueOptions, 'manifestPath' | 'dataDir' | 'limit' | 'resume'>,
): Promise<EnqueuePreflight> {
  const written = await writtenRepoNames(options.dataDir);
  if (!options.resume && written.size > 0)
    throw new EnqueueRefused(
      `${options.dataDir} already holds ${written.size} result rows; pass --resume to continue that run, ` +
        'or move scan_results.jsonl and quarantine.jsonl away to start a new one',
    );
  const manifestPath = path.resolve(options.manifestPath);
  if (options.limit === 0) return { manifestPath, manifestSha256: await sha256File(manifestPath), written };
  let lines = 0;
  let usable = 0;
  let firstProblem: SkippedRow | undefined;
  const seen = new Set<string>();
  // --limit counts as enqueue does: skipped lines and distinct repositories.
  let considered = 0;
  for await (const item of readManifestJobs(manifestPath)) {
    if (options.limit !== undefined && considered >= options.limit) break;
    lines++;
    if (!item.ok) {
      considered++;
      firstProblem ??= item.skipped;
      continue;
    }
    const { data, line } = item.job;
    if (seen.has(data.repo_full_name)) continue;
    seen.add(data.repo_full_name);
    considered++;
    const problem = data.row_problem ?? rowProblem(data, config.allowLocalUrls);
    if (problem) {
      firstProblem ??= { line, reason: problem.replace(/^manifest line \d+: /, '') };
      continue;
    }
    // One scannable repository is enough to start; the rest is read by enqueue itself.
    usable++;
    break;
  }
  if (lines === 0)
    throw new EnqueueRefused(`${displayText(manifestPath)}: the manifest is empty: no repository to scan`);
  if (usable === 0)
    throw new EnqueueRefused(
      `${displayText(manifestPath)}: none of its ${lines} line${lines === 1 ? '' : 's'} can be scanned ` +
        `(all skipped, duplicated or rejected); first: line ${firstProblem?.line}: ${displayText(firstProblem?.reason ?? '?').slice(0, 300)}`,
    );
  return { manifestPath, manifestSha256: await sha256File(manifestPath), written };
}

/** One line, credentials and control characters escaped: manifest text reaches a terminal. */
function displayText(text: string): string {
  return escapeLine(redact(text));
}

/** How many manifest problems the run log lists one by one (the counts are always complete). */
export const LISTED_MANIFEST_PROBLEMS = 200;

/**
 * The bad manifest lines as run metadata, so pipeline_run_log.json (written by the writer,
 * maybe on another machine) can say which lines were not scanned and why.
 */
function manifestProblemsMeta(summary: EnqueueSummary): Record<string, string> {
  const problems = [
    ...summary.skipped.map((p) => ({ ...p, kind: 'skipped' })),
    ...summary.duplicates.map((p) => ({ ...p, kind: 'duplicate' })),
    ...summary.rejected.map((p) => ({ ...p, kind: 'rejected' })),
  ]
    .sort((a, b) => a.line - b.line)
    .slice(0, LISTED_MANIFEST_PROBLEMS)
    .map((p) => ({ line: p.line, kind: p.kind, reason: redact(p.reason) }));
  return {
    manifest_lines_skipped: String(summary.skipped.length),
    manifest_lines_duplicate: String(summary.duplicates.length),
    manifest_lines_rejected: String(summary.rejected.length),
    manifest_line_problems: JSON.stringify(problems),
  };
}
