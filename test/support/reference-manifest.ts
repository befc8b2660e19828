/**
 * A manifest record in the shape the reference pipeline's `discover.py`
 * (dpowellm/stratum-cli `pipeline/discover.py`, build_manifest_record, at 7cec1f0) writes:
 * exactly these 20 fields, `repo_hash` null, `scan_status` "pending", `discovered_at` from
 * Python's `datetime.now(timezone.utc).isoformat()` (microseconds, `+00:00`), GitHub's own
 * `pushed_at`/`created_at` (`Z`), the licence's SPDX id. Written from reading that function;
 * none of its code is copied.
 */
export const REFERENCE_MANIFEST_FIELDS = [
  'repo_full_name',
  'repo_url',
  'repo_hash',
  'org',
  'github_stars',
  'github_forks',
  'github_size_kb',
  'last_commit_date',
  'repo_created_date',
  'is_fork',
  'fork_parent',
  'license',
  'github_topics',
  'primary_language',
  'default_branch',
  'discovery_query',
  'selection_stratum',
  'matched_strata',
  'discovered_at',
  'scan_status',
] as const;

export function referenceManifestRecord(
  fullName: string,
  url: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const [owner] = fullName.split('/');
  const record: Record<string, unknown> = {
    repo_full_name: fullName,
    repo_url: url,
    repo_hash: null,
    org: owner,
    github_stars: 42,
    github_forks: 3,
    github_size_kb: 120,
    last_commit_date: '2026-11-20T09:15:02Z',
    repo_created_date: '2025-03-04T10:00:00Z',
    is_fork: false,
    fork_parent: null,
    license: 'MIT',
    github_topics: ['ai-agents', 'crewai'],
    primary_language: 'Python',
    default_branch: 'main',
    discovery_query: 'crewai language:python pushed:>2025-06-01',
    selection_stratum: 'crewai',
    matched_strata: ['crewai'],
    discovered_at: '2026-12-01T08:00:01.123456+00:00',
    scan_status: 'pending',
  };
  return { ...record, ...extra };
}
