import { acceptManifestRecord, formatIssues, type ManifestFill } from '../../core/contract/index.js';
import { readJsonl } from '../../core/jsonl.js';
import { displayUrl, redact } from '../../core/redact.js';
import { manifestRepoHash } from '../../core/repo-hash.js';
import type { ScanJobData } from '../../workers/job-data.js';

export interface ManifestJob {
  line: number;
  data: ScanJobData;
  /** What the compatibility rules filled in (absent when the row broke the schema). */
  fill?: ManifestFill;
}

export interface SkippedRow {
  line: number;
  reason: string;
}

export type ManifestItem = { ok: true; job: ManifestJob } | { ok: false; skipped: SkippedRow };

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Manifest rows → job data. A row that breaks the manifest schema still becomes a job (its
 * worker writes a `failed` row saying why), so every repository of the manifest ends as a
 * row; only a line with no usable repo_full_name (not JSON, no name) cannot, and is reported
 * with its line number.
 */
export async function* readManifestJobs(manifestPath: string): AsyncGenerator<ManifestItem> {
  for await (const line of readJsonl(manifestPath)) {
    if (!line.ok) {
      yield { ok: false, skipped: { line: line.line, reason: line.error } };
      continue;
    }
    const row = line.value as Record<string, unknown>;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      yield { ok: false, skipped: { line: line.line, reason: 'not a JSON object' } };
      continue;
    }
    const name = row.repo_full_name;
    if (typeof name !== 'string' || name.trim() === '') {
      yield { ok: false, skipped: { line: line.line, reason: 'repo_full_name is missing' } };
      continue;
    }
    const v = acceptManifestRecord(row);
    // Job data is stored in clear text in Redis: credentials in a URL never get that far.
    const url = str(row.repo_url);
    const safeUrl = stripCredentials(url);
    const problems = v.ok ? [] : [formatIssues(v.errors)];
    if (safeUrl !== url) problems.unshift('repo_url carried credentials (removed)');
    const matched = Array.isArray(row.matched_strata)
      ? row.matched_strata.filter((s) => typeof s === 'string')
      : [];
    const data: ScanJobData = {
      repo_full_name: name,
      repo_url: safeUrl,
      // The manifest's own id when it has a well-formed one (even on a row that broke the
      // schema elsewhere), else the one formula.
      repo_hash: v.ok ? v.record.repo_hash : manifestRepoHash(row.repo_hash, name),
      selection_stratum: str(row.selection_stratum),
      ...(matched.length ? { matched_strata: matched as string[] } : {}),
      github_size_kb:
        typeof row.github_size_kb === 'number' && row.github_size_kb >= 0 ? row.github_size_kb : 0,
      ...(problems.length
        ? { row_problem: `manifest line ${line.line}: ${problems.join('; ').slice(0, 300)}` }
        : {}),
    };
    yield { ok: true, job: { line: line.line, data, ...(v.ok ? { fill: v.fill } : {}) } };
  }
}

function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    return displayUrl(url);
  } catch {
    // Not a URL (the worker rejects it); still never keep something that looks like user-info.
    return redact(url);
  }
}
