import path from 'node:path';
import type { Config } from '../../core/config.js';
import { sha256File } from '../../core/file-hash.js';
import { redact } from '../../core/redact.js';
import { escapeLine } from '../../core/terminal-text.js';
import { rowProblem } from '../../workers/row-check.js';
import { writtenRepoNames } from '../../workers/writer/written-rows.js';
import { readManifestJobs, type SkippedRow } from './manifest-jobs.js';

export class EnqueueRefused extends Error {
  override name = 'EnqueueRefused';
}

/** What the checks before any write found: the run may start. */
export interface EnqueuePreflight {
  /** Absolute path of the manifest, recorded in the run's metadata (the drain audit reads it). */
  manifestPath: string;
  manifestSha256: string;
  /** Repository names already in the result files. */
  written: Set<string>;
}

export interface PreflightOptions {
  manifestPath: string;
  dataDir: string;
  limit?: number;
  resume: boolean;
}

/**
 * Everything that may refuse a run, checked before anything is written anywhere (Redis, the
 * data directory): result rows already on disk without --resume, and a manifest with no
 * repository to scan (empty, or every line skipped, a duplicate or rejected). Reads the
 * manifest up to its first scannable line (all of it only when it is to be refused).
 */
export async function preflightEnqueue(config: Config, options: PreflightOptions): Promise<EnqueuePreflight> {
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
