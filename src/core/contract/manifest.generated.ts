/* Generated from schema/manifest-record.schema.json by scripts/gen-contract-types.mjs. Do not edit. */

/**
 * One row of repo_manifest.jsonl, written by discover, read by enqueue/audit.
 */
export interface ManifestRecord {
  repo_full_name: string;
  repo_url: string;
  /**
   * anonymised repository id; null (the reference pipeline's manifests) = derived from repo_full_name by enqueue and the audit (docs/compatibility.md)
   */
  repo_hash?: string | null;
  org: string;
  github_stars: number;
  github_forks: number;
  github_size_kb: number;
  last_commit_date: string | null;
  repo_created_date: string | null;
  is_fork: boolean;
  fork_parent: string | null;
  license: string | null;
  github_topics: string[];
  primary_language: string | null;
  /**
   * bytes per language; null or absent (the reference's manifests) = unknown
   */
  language_bytes?: {
    [k: string]: number;
  } | null;
  default_branch: string;
  /**
   * commit the default branch pointed to at discovery; null or absent (the reference's manifests) = unknown
   */
  head_sha?: string | null;
  /**
   * null or absent (the reference's manifests) = unknown
   */
  is_archived?: boolean | null;
  discovery_query: string;
  selection_stratum: string;
  /**
   * @minItems 1
   */
  matched_strata: string[];
  discovered_at: string;
  /**
   * the reference pipeline's bookkeeping ('pending'): accepted and ignored
   */
  scan_status?: string;
}
