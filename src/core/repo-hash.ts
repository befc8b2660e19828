import { createHash } from 'node:crypto';

/**
 * `repo_hash`, the dataset's anonymised repository id, defined once for the manifest, the
 * scanner and every row the pipeline writes: the first 16 hex digits of the SHA-256 of
 * `repo_full_name` (`owner/name` as UTF-8, spelled as GitHub returns it). The reference's own
 * definition (its batch scanner and `repair_scan_results.py`), so ids match its data.
 */
export function repoHash(repoFullName: string): string {
  return createHash('sha256').update(repoFullName, 'utf8').digest('hex').slice(0, 16);
}

/** The manifest's repo_hash when it is one the schema allows (1–256 characters), else the formula's. */
export function manifestRepoHash(value: unknown, repoFullName: string): string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 256
    ? value
    : repoHash(repoFullName);
}
