import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { type ManifestRecord, validateManifestRecord } from '../../core/contract/index.js';
import { repoHash } from '../../core/repo-hash.js';
import type { SelectedRepo } from './selection.js';

/**
 * The frozen manifest: one validated record per selected repository, written atomically
 * (temp file + rename), its sha256 returned for `discovery_log.json`.
 */
export function toManifestRecord(selected: SelectedRepo): ManifestRecord {
  const { repo } = selected;
  return {
    repo_full_name: repo.fullName,
    repo_url: repo.url,
    repo_hash: repoHash(repo.fullName),
    org: repo.owner,
    github_stars: repo.stars,
    github_forks: repo.forks,
    github_size_kb: repo.diskUsageKb,
    last_commit_date: repo.pushedAt,
    repo_created_date: repo.createdAt,
    is_fork: repo.isFork,
    fork_parent: repo.parent,
    license: repo.license,
    github_topics: repo.topics,
    primary_language: repo.primaryLanguage,
    language_bytes: repo.languageBytes,
    // Empty repositories (no default branch) are excluded before this point.
    default_branch: repo.defaultBranch ?? '',
    head_sha: repo.headSha,
    is_archived: repo.isArchived,
    discovery_query: selected.discoveryQuery,
    selection_stratum: selected.selectionStratum,
    matched_strata: selected.matchedStrata,
    discovered_at: selected.discoveredAt,
  };
}

export class InvalidManifestRecordError extends Error {
  override name = 'InvalidManifestRecordError';
}

export interface WrittenManifest {
  file: string;
  records: number;
  bytes: number;
  sha256: string;
}

export async function writeManifest(
  file: string,
  selected: readonly SelectedRepo[],
): Promise<WrittenManifest> {
  const lines: string[] = [];
  for (const item of selected) {
    const record = toManifestRecord(item);
    const validation = validateManifestRecord(record);
    if (!validation.ok) {
      const detail = validation.errors.map((e) => `${e.pointer}: ${e.message}`).join('; ');
      throw new InvalidManifestRecordError(
        `manifest record for ${record.repo_full_name} is invalid: ${detail}`,
      );
    }
    lines.push(JSON.stringify(record));
  }
  const content = lines.length ? `${lines.join('\n')}\n` : '';
  await writeFileAtomic(file, content);
  return {
    file,
    records: lines.length,
    bytes: Buffer.byteLength(content),
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}
