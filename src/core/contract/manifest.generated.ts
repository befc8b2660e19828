/* Generated from schema/manifest-record.schema.json by scripts/gen-contract-types.mjs. Do not edit. */

/**
 * One row of repo_manifest.jsonl, written by discover, read by enqueue/audit.
 */
export interface ManifestRecord {
  repo_full_name: string;
  repo_url: string;
  repo_hash: string;
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
  language_bytes: {
    [k: string]: number;
  };
  default_branch: string;
  head_sha: string | null;
  is_archived: boolean;
  discovery_query: string;
  selection_stratum: string;
  /**
   * @minItems 1
   */
  matched_strata: string[];
  discovered_at: string;
  /**
   * True for a reserve row: drawn after the stratum's primary rows with the same seeded sample, scanned only when the back-fill needs it to reach the stratum's target. Absent = false (a primary row).
   */
  reserve?: boolean;
  /**
   * Position of a reserve row in its stratum's seeded reserve order (1 = first used).
   */
  reserve_rank?: number;
  /**
   * What discovery read of the repository's dependency files before any clone (GraphQL object(expression: "HEAD:<file>")). Absent when not fetched.
   */
  dependency_evidence?: {
    /**
     * Dependency files found at HEAD.
     */
    files: ('requirements.txt' | 'pyproject.toml')[];
    /**
     * Agent frameworks named in those files.
     */
    frameworks: string[];
  };
}
