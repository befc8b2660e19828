// TEMPORARY stand-in until `git merge main` brings the lead's contract module (same exports).
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
  language_bytes: Record<string, number>;
  default_branch: string;
  head_sha: string | null;
  is_archived: boolean;
  discovery_query: string;
  selection_stratum: string;
  matched_strata: string[];
  discovered_at: string;
}

export function validateManifestRecord(
  value: unknown,
): { ok: true; record: ManifestRecord } | { ok: false; errors: { pointer: string; message: string }[] } {
  const v = value as Record<string, unknown>;
  const required = ['repo_full_name', 'repo_url', 'repo_hash', 'discovery_query', 'selection_stratum'];
  const errors = required
    .filter((k) => typeof v?.[k] !== 'string' || v[k] === '')
    .map((k) => ({ pointer: `/${k}`, message: 'required field is missing' }));
  return errors.length ? { ok: false, errors } : { ok: true, record: value as ManifestRecord };
}
