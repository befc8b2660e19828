import type { ManifestRecord } from '../core/contract/index.js';
import type { GeneratorContext } from './ping-generator.js';
import { repoIdentity } from './ping-generator.js';
import { createRandom, hashHex } from './random.js';
import { LICENSES } from './vocabulary.js';

/** The manifest row discovery would have written for synthetic repository `index`. */
export function generateManifestRecord(
  ctx: GeneratorContext,
  index: number,
  id = repoIdentity(ctx, index),
): ManifestRecord {
  const rng = createRandom(ctx.seed, 'manifest', index);
  const [owner] = id.fullName.split('/');
  const created = Date.UTC(2023, 0, 1) + rng.int(0, 900) * 86_400_000;
  const pushed = created + rng.int(1, 600) * 86_400_000;
  const python = rng.chance(0.03) ? 0 : rng.int(2_000, 2_000_000);
  const languageBytes: Record<string, number> = {};
  if (python) languageBytes.Python = python;
  if (rng.chance(0.4)) languageBytes.TypeScript = rng.int(500, 800_000);
  if (rng.chance(0.3)) languageBytes.Shell = rng.int(100, 20_000);
  if (rng.chance(0.25)) languageBytes.Dockerfile = rng.int(100, 5_000);
  const primaryLanguage = Object.entries(languageBytes).sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return {
    repo_full_name: id.fullName,
    repo_url: id.url,
    repo_hash: id.repoHash,
    org: owner as string,
    github_stars: rng.skewedInt(0, 5_000, 4),
    github_forks: rng.skewedInt(0, 800, 4),
    github_size_kb: rng.skewedInt(10, 400_000, 3),
    last_commit_date: new Date(pushed).toISOString(),
    repo_created_date: new Date(created).toISOString(),
    is_fork: id.forkOf !== null,
    fork_parent: id.forkOf === null ? null : repoIdentity(ctx, id.forkOf).fullName,
    license: rng.pick(LICENSES),
    github_topics: rng.sample(
      ['ai-agents', 'llm', 'langchain', 'crewai', 'rag', 'tutorial', 'python'],
      rng.int(0, 3),
    ),
    primary_language: primaryLanguage,
    language_bytes: languageBytes,
    default_branch: rng.chance(0.85) ? 'main' : 'master',
    head_sha: hashHex(`${ctx.seed}:head:${id.fullName}`, 40),
    is_archived: rng.chance(0.02),
    discovery_query: `${id.primaryFramework.toLowerCase()} agent`,
    selection_stratum: id.stratum,
    matched_strata: [id.stratum],
    discovered_at: new Date(Date.UTC(2026, 10, 19) + index * 1_000).toISOString(),
  };
}
