import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ManifestRecord } from '../core/contract/index.js';
import { mulberry32 } from '../core/random.js';
import { repoHash } from '../core/repo-hash.js';
import { rowTimestamp } from '../core/timestamp.js';
import { EXAMPLE_REPOS, type ExampleRepo } from './example-repos.js';
import { writeGitRepo } from './git-repo-writer.js';

/**
 * A seeded population of local git repositories for end-to-end runs: the example templates
 * with variations — renamed copies that keep their topology (tutorial clones), extra modules
 * (sizes), junk binary assets (what the lean clone must not fetch), broken syntax, and
 * manifest rows whose repository does not exist (clone_404).
 */
export type Variant = 'original' | 'renamed-copy' | 'grown' | 'junk-assets' | 'broken' | 'missing';

export interface PopulationMember {
  fullName: string;
  template: string;
  variant: Variant;
  stratum: string;
  dir: string;
  /** The expected outcome class, for assertions: a scan row, or a clone failure. */
  expect: 'scan' | 'clone_404';
}

export interface PopulationOptions {
  root: string;
  count: number;
  seed?: number;
  /** Size of each junk asset in bytes (default 256 KiB). */
  junkBytes?: number;
}

const VARIANT_WEIGHTS: Array<[Variant, number]> = [
  ['original', 0.3],
  ['renamed-copy', 0.25],
  ['grown', 0.2],
  ['junk-assets', 0.1],
  ['broken', 0.1],
  ['missing', 0.05],
];

function pick<T>(rand: () => number, weighted: Array<[T, number]>): T {
  let r = rand();
  for (const [v, w] of weighted) {
    r -= w;
    if (r < 0) return v;
  }
  return weighted[weighted.length - 1]![0];
}

/** Renames Python identifiers that are names, not structure: agent names, roles, functions. */
function renameIdentifiers(content: string, suffix: string): string {
  return content
    .replace(/name="([a-z_]+)"/g, `name="$1_${suffix}"`)
    .replace(/def (lookup_order|refund_order|multiply|run|assistant|approve)\b/g, `def $1_${suffix}`)
    .replace(/\b(lookup_order|refund_order|multiply)\b(?=[,\])])/g, `$1_${suffix}`)
    .replace(/\b(assistant|approve)\b(?=\))/g, `$1_${suffix}`);
}

function variantFiles(
  template: ExampleRepo,
  variant: Variant,
  index: number,
  rand: () => number,
  junkBytes: number,
) {
  const files: Record<string, Uint8Array | string> = { ...template.files };
  const suffix = `v${index}`;
  if (variant === 'renamed-copy') {
    for (const [f, c] of Object.entries(template.files))
      if (f.endsWith('.py')) files[f] = renameIdentifiers(c, suffix);
  }
  if (variant === 'grown') {
    const modules = 5 + Math.floor(rand() * 40);
    for (let m = 0; m < modules; m++) {
      files[`lib/helpers_${m}.py`] =
        `"""Helper module ${m}."""\n\n` +
        Array.from({ length: 20 }, (_, i) => `def helper_${m}_${i}(x):\n    return x * ${i} + ${m}\n`).join(
          '\n',
        );
    }
  }
  if (variant === 'junk-assets') {
    const bytes = Buffer.alloc(junkBytes);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    files['assets/demo.mp4'] = bytes;
    files['assets/screenshot.png'] = bytes.subarray(0, Math.floor(junkBytes / 2));
    files['docs/paper.pdf'] = bytes.subarray(0, Math.floor(junkBytes / 4));
  }
  if (variant === 'broken') {
    const py = Object.keys(files).find((f) => f.endsWith('.py'));
    if (py) files[`${path.dirname(py)}/broken_module.py`] = 'def oops(:\n    return (\n';
  }
  return files;
}

/** A member with the files of its repository (none for a `missing` member). */
export interface PlannedMember {
  member: PopulationMember;
  files: Record<string, Uint8Array | string> | undefined;
}

/**
 * The population without touching the disk: every member and its files, from the seed alone.
 * `buildPopulation` writes it as working repositories; end-to-end runs may write it otherwise
 * (test/support/e2e-population.ts: bare repositories sharing one object store).
 */
export function planPopulation(options: PopulationOptions): PlannedMember[] {
  const rand = mulberry32(options.seed ?? 7);
  const junkBytes = options.junkBytes ?? 256 * 1024;
  const planned: PlannedMember[] = [];
  for (let i = 0; i < options.count; i++) {
    const template = EXAMPLE_REPOS[Math.floor(rand() * EXAMPLE_REPOS.length)]!;
    const variant = pick(rand, VARIANT_WEIGHTS);
    const name = `${template.name}-${String(i).padStart(5, '0')}`;
    const member: PopulationMember = {
      fullName: `e2e-org/${name}`,
      template: template.name,
      variant,
      stratum: template.stratum,
      dir: path.join(options.root, name),
      expect: variant === 'missing' ? 'clone_404' : 'scan',
    };
    const files = variantFiles(template, variant, i, rand, junkBytes);
    planned.push({ member, files: variant === 'missing' ? undefined : files });
  }
  return planned;
}

/** Creates the population on disk (missing members get no directory) and returns its members. */
export async function buildPopulation(options: PopulationOptions): Promise<PopulationMember[]> {
  await fs.mkdir(options.root, { recursive: true });
  const planned = planPopulation(options);
  for (const { member, files } of planned)
    if (files) await writeGitRepo(member.dir, files, path.basename(member.dir));
  return planned.map((p) => p.member);
}

/** Manifest rows for a population; `urlFor` maps a member to its clone URL (file:// or a local git server). */
export function populationManifest(
  members: readonly PopulationMember[],
  urlFor: (m: PopulationMember) => string = (m) => `file://${m.dir}`,
  now = new Date(),
): ManifestRecord[] {
  return members.map((m) => ({
    repo_full_name: m.fullName,
    repo_url: urlFor(m),
    repo_hash: repoHash(m.fullName),
    org: 'e2e-org',
    github_stars: 1,
    github_forks: 0,
    github_size_kb: m.variant === 'junk-assets' ? 1024 : 16,
    last_commit_date: '2025-07-01T12:00:00Z',
    repo_created_date: '2025-07-01T12:00:00Z',
    is_fork: false,
    fork_parent: null,
    license: 'MIT',
    github_topics: [],
    primary_language: 'Python',
    language_bytes: { Python: 4096 },
    default_branch: 'main',
    head_sha: null,
    is_archived: false,
    discovery_query: `e2e:${m.template}`,
    selection_stratum: m.stratum,
    matched_strata: [m.stratum],
    discovered_at: rowTimestamp(now),
  }));
}
